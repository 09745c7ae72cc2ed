//! `pingyi`: serve | migrate | demo. Errors end the process with one line and a
//! non-zero status, never a panic trace.

use app::domain::case::Coded;
use clap::Parser;
use server::config::{AdminCommand, Cli, Command, Config, ServeArgs};
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")),
        )
        .with_target(false)
        .init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("pingyi: 无法启动运行时 / cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pingyi: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        None => serve(Config::resolve(&cli.common)?, ServeArgs::from_env()?).await,
        Some(Command::Serve(args)) => serve(Config::resolve(&cli.common)?, args).await,
        Some(Command::Migrate) => {
            let config = Config::resolve(&cli.common)?;
            server::open_database(&config).await?;
            println!("迁移完成 / migrations applied");
            Ok(())
        }
        Some(Command::Demo) => {
            let config = Config::resolve(&cli.common)?;
            let db = server::open_database(&config).await?;
            if server::load_demo_if_empty(&db).await? {
                println!("演示数据已载入 / demo data loaded");
                Ok(())
            } else {
                anyhow::bail!(
                    "数据库非空，未载入演示数据 / the database is not empty; demo not loaded"
                )
            }
        }
        Some(Command::VerifyDraw { target }) => verify_draw(&cli.common, &target).await,
        Some(Command::VerifyEvidence {
            hearing,
            evidence_dir,
        }) => verify_evidence(&cli.common, hearing.as_deref(), evidence_dir).await,
        Some(Command::Admin(AdminCommand::Create {
            username,
            display_name,
        })) => {
            let config = Config::resolve(&cli.common)?;
            let db = server::open_database(&config).await?;
            let password = admin_password()?;
            let roles = [app::domain::access::Role::Admin];
            server::accounts::create_account(&db, &username, &display_name, &password, &roles)
                .await?;
            println!("管理员已创建 / administrator `{}` created", username.trim());
            Ok(())
        }
    }
}

/// `pingyi verify-evidence`: re-hashes stored files; fails when any is altered or missing.
async fn verify_evidence(
    common: &server::config::Common,
    hearing: Option<&str>,
    evidence_dir: Option<std::path::PathBuf>,
) -> anyhow::Result<()> {
    use app::domain::evidence::IntegrityFault;
    let config = Config::resolve(common)?;
    let db = server::open_database(&config).await?;
    let dir = evidence_dir.unwrap_or_else(|| config.data_dir.join("evidence"));
    let store = app::evidence::DirStore::open(&dir)?;
    let exhibits = match hearing {
        Some(id) => app::db::evidence::list(&db, id).await?,
        None => app::db::evidence::all(&db).await?,
    };
    let mut faults = 0;
    for exhibit in &exhibits {
        let verdict = match app::evidence::check_blob(&store, &exhibit.sha256) {
            None => "一致 / ok".to_owned(),
            Some(IntegrityFault::Missing) => {
                faults += 1;
                "不一致：文件缺失 / MISSING".to_owned()
            }
            Some(IntegrityFault::Altered { actual }) => {
                faults += 1;
                format!("不一致：现为 / ALTERED, now {actual}")
            }
        };
        println!(
            "{} {} {}（听证 / hearing {}）: {verdict}",
            exhibit.label, exhibit.sha256, exhibit.file_name, exhibit.hearing_id
        );
    }
    println!(
        "共校验 {} 份，{} 份不一致 / {} checked, {} faulty",
        exhibits.len(),
        faults,
        exhibits.len(),
        faults
    );
    if faults > 0 {
        std::process::exit(1);
    }
    Ok(())
}

/// `pingyi verify-draw`: prints each draw's verdict; fails on any mismatch.
async fn verify_draw(common: &server::config::Common, target: &str) -> anyhow::Result<()> {
    let records: Vec<app::model::DrawRecord> = if std::path::Path::new(target).is_file() {
        let text = std::fs::read_to_string(target)?;
        vec![
            serde_json::from_str(&text)
                .map_err(|e| anyhow::anyhow!("不是抽选记录文件 / not a draw record: {e}"))?,
        ]
    } else {
        let config = Config::resolve(common)?;
        let db = server::open_database(&config).await?;
        let draws = app::db::pool::draws_of(&db, target).await?;
        if draws.is_empty() {
            anyhow::bail!("听证 {target} 没有抽选记录 / no draw recorded for hearing {target}");
        }
        draws
    };
    let mut mismatches = 0;
    for record in &records {
        println!(
            "抽选记录 / draw {}（听证 / hearing {}）",
            record.id, record.hearing_id
        );
        println!("  输入摘要 / input hash: {}", record.input_hash);
        match app::panel::verify(record) {
            None => println!("  尚未抽选或已作废 / not drawn ({})", record.status.code()),
            Some(verdict) => {
                if let Some(values) = &record.public_values {
                    println!("  公开随机数 / public values: {}", values.join(" | "));
                }
                println!(
                    "  核验结果 / verdict: {} / {}",
                    verdict.label_zh(),
                    verdict.label_en()
                );
                if let app::domain::sortition::Verdict::Mismatch(found) = &verdict {
                    mismatches += 1;
                    for m in found {
                        println!("  - {}", server::draws::mismatch_zh(m));
                    }
                }
            }
        }
    }
    if mismatches > 0 {
        anyhow::bail!("{mismatches} 条抽选记录不一致 / {mismatches} draw(s) do not match");
    }
    Ok(())
}

/// The new administrator's password: from the environment (scripts) or stdin.
fn admin_password() -> anyhow::Result<String> {
    if let Ok(password) = std::env::var("PINGYI_ADMIN_PASSWORD") {
        return Ok(password);
    }
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

async fn serve(config: Config, mut args: ServeArgs) -> anyhow::Result<()> {
    if args.evidence_dir.is_none() {
        args.evidence_dir = Some(config.data_dir.join("evidence"));
    }
    // Bind first: an occupied port is the most common mistake and needs no database.
    let listener = server::bind(args.addr).await?;
    let db = server::open_database(&config).await?;
    if !args.no_demo && server::load_demo_if_empty(&db).await? {
        tracing::info!("数据库为空，已载入演示数据 / empty database: demo loaded");
    }
    server::serve(&args, db, listener, server::shutdown_signal()).await
}
