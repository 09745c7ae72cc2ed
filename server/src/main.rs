//! `pingyi`: serve | migrate | demo. Errors end the process with one line and a
//! non-zero status, never a panic trace.

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

/// The new administrator's password: from the environment (scripts) or stdin.
fn admin_password() -> anyhow::Result<String> {
    if let Ok(password) = std::env::var("PINGYI_ADMIN_PASSWORD") {
        return Ok(password);
    }
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

async fn serve(config: Config, args: ServeArgs) -> anyhow::Result<()> {
    // Bind first: an occupied port is the most common mistake and needs no database.
    let listener = server::bind(args.addr).await?;
    let db = server::open_database(&config).await?;
    if !args.no_demo && server::load_demo_if_empty(&db).await? {
        tracing::info!("数据库为空，已载入演示数据 / empty database: demo loaded");
    }
    server::serve(&args, db, listener, server::shutdown_signal()).await
}
