//! `pingyi`: serve | migrate | demo. Errors end the process with one line and a
//! non-zero status, never a panic trace.

use app::domain::case::Coded;
use clap::Parser;
use server::config::{
    AdminCommand, Cli, Command, Config, MinutesCommand, ServeArgs, SigningCommand,
};
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
        Some(Command::Serve(args)) => serve(Config::resolve(&cli.common)?, *args).await,
        Some(Command::Migrate) => {
            let config = Config::resolve(&cli.common)?;
            server::open_database(&config).await?;
            println!("迁移完成 / migrations applied");
            Ok(())
        }
        Some(Command::Demo) => load_demo(&cli.common).await,
        Some(Command::VerifyDraw { target }) => verify_draw(&cli.common, &target).await,
        Some(Command::VerifyMinutes { file }) => verify_minutes(&cli.common, &file).await,
        Some(Command::Minutes(MinutesCommand::Export { hearing, all, out })) => {
            export_minutes(&cli.common, hearing.as_deref(), all, &out).await
        }
        Some(Command::Signing(command)) => signing(&cli.common, command),
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

/// `pingyi demo`: loads the demo into an empty database, then finalises the
/// completed demo hearing's minutes. The data is usable without them, so a
/// failed finalisation is a warning (exit 0) that says how to finish the job.
async fn load_demo(common: &server::config::Common) -> anyhow::Result<()> {
    let config = Config::resolve(common)?;
    let db = server::open_database(&config).await?;
    if !server::load_demo_if_empty(&db).await? {
        anyhow::bail!("数据库非空，未载入演示数据 / the database is not empty; demo not loaded");
    }
    let args = offline_args(&config)?;
    let state = offline_state_with(&args, db)?;
    println!("演示数据已载入 / demo data loaded");
    if let Err(e) = server::demo::finalise_held(&state).await {
        eprintln!("{}", demo_minutes_not_finalised(&args, &e));
    }
    Ok(())
}

/// The warning when the demo's minutes could not be finalised: what is missing,
/// the likely cause, and the steps that finish it (Chinese, then English).
fn demo_minutes_not_finalised(args: &ServeArgs, error: &anyhow::Error) -> String {
    let case = server::demo::COMPLETED_CASE;
    let font = args.font.display();
    let signing = args
        .signing_dir
        .as_deref()
        .map_or_else(String::new, |d| d.display().to_string());
    // The press reports only a category; a missing font file is the usual one.
    let (cause_zh, cause_en) = if std::fs::metadata(&args.font).is_err() {
        (
            format!("找不到中文字体文件 {font}"),
            format!("the CJK font file {font} was not found"),
        )
    } else {
        (
            format!(
                "请检查字体 {font} 是否为可用的中文 OTF/TTF 字体，以及签章目录 {signing}（`pingyi signing show`）"
            ),
            format!(
                "check that {font} is a usable CJK OTF/TTF font, and the signing directory {signing} (`pingyi signing show`)"
            ),
        )
    };
    format!(
        "警告：演示数据已载入，但已结束的演示听证（{case}）的纪要未定稿、未签章（{error:#}）。\n\
         原因：{cause_zh}。\n\
         解决：运行 `make font` 下载字体，或将 PINGYI_FONT 设为中文字体文件的路径；然后由主持人（host）在该听证的纪要页定稿，或删除数据库后重新运行 `pingyi demo`。\n\
         warning: the demo data is loaded, but the minutes of the completed demo hearing ({case}) were NOT finalised or signed ({error:#}).\n\
         cause: {cause_en}.\n\
         fix: run `make font`, or set PINGYI_FONT to the path of a CJK font file; then let the host (`host`) finalise them on the hearing's minutes page, or delete the database and run `pingyi demo` again."
    )
}

/// The arguments `serve` would run with here: the environment, with the
/// evidence store and signing key under the data directory by default.
fn offline_args(config: &Config) -> anyhow::Result<ServeArgs> {
    let mut args = ServeArgs::from_env()?;
    args.evidence_dir
        .get_or_insert_with(|| config.data_dir.join("evidence"));
    args.signing_dir
        .get_or_insert_with(|| config.data_dir.join("signing"));
    Ok(args)
}

/// The app's state without a listener, for commands that use the press (the
/// same font, signing key and evidence store `serve` would use).
fn offline_state(config: &Config, db: app::db::Db) -> anyhow::Result<app::state::AppState> {
    offline_state_with(&offline_args(config)?, db)
}

fn offline_state_with(args: &ServeArgs, db: app::db::Db) -> anyhow::Result<app::state::AppState> {
    let stopping = server::router::Stopping::default();
    let (_, state) = server::router::build(args, db, app::live::Hub::default(), stopping)?;
    Ok(state)
}

/// `pingyi signing show|import`: the key that signs the minutes.
fn signing(common: &server::config::Common, command: SigningCommand) -> anyhow::Result<()> {
    use server::signing::Signer;
    let default_dir = || common.data_dir.join("signing");
    let (signer, dir) = match command {
        SigningCommand::Show { dir } => {
            let dir = dir.unwrap_or_else(default_dir);
            let office = ServeArgs::from_env()?.office_name;
            (
                Signer::load_or_create_with(&dir, server::minutes::SIGNER_NAME, office.trim())?,
                dir,
            )
        }
        SigningCommand::Import {
            pkcs12,
            key,
            cert,
            dir,
        } => {
            let dir = dir.unwrap_or_else(default_dir);
            let read = |p: &std::path::Path| {
                std::fs::read(p)
                    .map_err(|e| anyhow::anyhow!("无法读取 / cannot read {}: {e}", p.display()))
            };
            let signer = match (pkcs12, key, cert) {
                (Some(p12), _, _) => {
                    let password = match std::env::var("PINGYI_P12_PASSWORD") {
                        Ok(p) => p,
                        Err(_) => admin_password()?,
                    };
                    Signer::import_pkcs12(&read(&p12)?, &password)?
                }
                (None, Some(key), Some(cert)) => Signer::import_pem(
                    &String::from_utf8_lossy(&read(&key)?),
                    &String::from_utf8_lossy(&read(&cert)?),
                )?,
                _ => anyhow::bail!(
                    "请给出 --pkcs12 文件，或 --key 与 --cert / give --pkcs12, or --key and --cert"
                ),
            };
            signer.save_to(&dir)?;
            println!("已安装签章证书，重启服务后生效 / installed; restart the server to use it");
            (signer, dir)
        }
    };
    println!("目录 / directory: {}", dir.display());
    println!("证书主体 / subject: {}", signer.subject());
    println!(
        "SHA-256 指纹 / fingerprint: {}",
        signer.fingerprint_sha256()
    );
    Ok(())
}

/// `pingyi verify-minutes FILE`: the verification page's verdict, offline.
async fn verify_minutes(
    common: &server::config::Common,
    file: &std::path::Path,
) -> anyhow::Result<()> {
    let bytes = std::fs::read(file)
        .map_err(|e| anyhow::anyhow!("无法读取 / cannot read {}: {e}", file.display()))?;
    let config = Config::resolve(common)?;
    let db = server::open_database(&config).await?;
    let state = offline_state(&config, db)?;
    // The page gives the public verdict only; operators also get the reason.
    let detail = server::signing::verify_pdf(&bytes).err();
    let verdict = app::minutes::verify(&state, bytes)
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.message(app::i18n::Lang::Zh)))?;
    for finding in &verdict.findings {
        println!("- {finding}");
    }
    if let Some(detail) = detail {
        println!("  签章详情 / detail: {detail}");
    }
    println!("SHA-256: {}", verdict.sha256);
    if let Some(entry) = &verdict.entry {
        println!(
            "听证 / hearing {}：{} {}",
            entry.hearing_id, entry.case_number, entry.hearing_title
        );
    }
    if verdict.authentic {
        println!("验证通过 / authentic");
        Ok(())
    } else {
        println!("验证未通过 / NOT authentic");
        std::process::exit(1);
    }
}

/// `pingyi minutes export`: copies the archived, signed PDFs into `out`.
async fn export_minutes(
    common: &server::config::Common,
    hearing: Option<&str>,
    all: bool,
    out: &std::path::Path,
) -> anyhow::Result<()> {
    let config = Config::resolve(common)?;
    let db = server::open_database(&config).await?;
    let entries = match (hearing, all) {
        (Some(id), _) => vec![app::db::minutes::entry(&db, id).await?.ok_or_else(|| {
            anyhow::anyhow!("听证 {id} 没有定稿纪要 / hearing {id} has no finalised minutes")
        })?],
        (None, true) => app::db::minutes::all(&db).await?,
        (None, false) => anyhow::bail!("请指定 --hearing ID 或 --all / give --hearing ID or --all"),
    };
    std::fs::create_dir_all(out)?;
    // The store `serve` uses (PINGYI_EVIDENCE_DIR honoured).
    let store = offline_state(&config, db)?.evidence.store;
    for entry in &entries {
        let source = store.local_path(&entry.sha256).map_err(|e| {
            anyhow::anyhow!(
                "纪要文件缺失 / minutes file missing for {}: {e}",
                entry.hearing_id
            )
        })?;
        let safe: String = entry
            .case_number
            .chars()
            .map(|c| {
                if c.is_control() || "/\\:*?\"<>|".contains(c) {
                    '_'
                } else {
                    c
                }
            })
            .collect();
        let target = out.join(format!("{safe}_{}.pdf", entry.hearing_id));
        std::fs::copy(&source, &target)?;
        println!("{} → {}", entry.case_number, target.display());
    }
    println!(
        "已导出 {} 份定稿纪要 / {} exported",
        entries.len(),
        entries.len()
    );
    Ok(())
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
    if args.signing_dir.is_none() {
        args.signing_dir = Some(config.data_dir.join("signing"));
    }
    // Bind first: an occupied port is the most common mistake and needs no database.
    let listener = server::bind(args.addr).await?;
    let db = server::open_database(&config).await?;
    if !args.no_demo && server::load_demo_if_empty(&db).await? {
        tracing::info!("数据库为空，已载入演示数据 / empty database: demo loaded");
        args.demo_loaded = true;
    }
    server::serve(&args, db, listener, server::shutdown_signal()).await
}
