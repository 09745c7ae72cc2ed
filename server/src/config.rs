//! Command line and environment: the operator's interface to `pingyi`.

use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(Parser, Debug)]
#[command(
    name = "pingyi",
    version,
    about = "评议 Pingyi — 信访听证评议平台 / petition hearings and review panels"
)]
pub struct Cli {
    #[command(flatten)]
    pub common: Common,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Args, Debug, Clone)]
pub struct Common {
    /// Database: sqlite:PATH (default: sqlite:<data dir>/pingyi.db) or postgres://user@host/db.
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// Directory for the SQLite file and other server data.
    #[arg(long, env = "PINGYI_DATA_DIR", default_value = "./data", global = true)]
    pub data_dir: PathBuf,
}

// `Serve` carries every setting; the value is parsed once at start.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Migrate, load the demo into an empty database, and serve the web app (default).
    Serve(Box<ServeArgs>),
    /// Apply database migrations and exit.
    Migrate,
    /// Load the demo data (cases, hearings, one account per role) into an empty database.
    Demo,
    /// Manage accounts from the command line.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Re-run a panel draw and say whether it matches its record (一致 / 不一致).
    /// TARGET is a hearing id (its draws in the database) or a record file
    /// downloaded from the public verification page. Exit status 1 on a mismatch.
    VerifyDraw {
        /// Hearing id, or path to a draw record (.json).
        target: String,
    },
    /// 纪要验证 offline: is FILE an authentic, unmodified Pingyi minutes document?
    /// Checks the embedded signature, this installation's certificate and the
    /// archive. Exit status 1 when it is not.
    VerifyMinutes {
        /// The PDF to check.
        file: PathBuf,
    },
    /// Finalised minutes.
    #[command(subcommand)]
    Minutes(MinutesCommand),
    /// The minutes signing key and certificate (docs/operations.md).
    #[command(subcommand)]
    Signing(SigningCommand),
    /// Re-hash every stored evidence file (or one hearing's) and compare with the
    /// hash recorded at filing. Exit status 1 when any file is altered or missing.
    VerifyEvidence {
        /// Only this hearing's exhibits.
        #[arg(long)]
        hearing: Option<String>,
        /// The evidence directory (default: <data dir>/evidence).
        #[arg(long, env = "PINGYI_EVIDENCE_DIR")]
        evidence_dir: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum SigningCommand {
    /// Shows the certificate in use (subject, SHA-256 fingerprint), creating a
    /// self-signed one when none exists yet.
    Show {
        #[arg(long, env = "PINGYI_SIGNING_DIR")]
        dir: Option<PathBuf>,
    },
    /// Installs a key and certificate issued by a real CA, from a PKCS#12 file
    /// (password from PINGYI_P12_PASSWORD or stdin) or from PEM files. The
    /// running server uses it after a restart.
    Import {
        #[arg(long, conflicts_with_all = ["key", "cert"], required_unless_present = "key")]
        pkcs12: Option<PathBuf>,
        #[arg(long, requires = "cert")]
        key: Option<PathBuf>,
        #[arg(long, requires = "key")]
        cert: Option<PathBuf>,
        #[arg(long, env = "PINGYI_SIGNING_DIR")]
        dir: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum MinutesCommand {
    /// Writes the signed PDFs of finalised minutes into DIR (one hearing, or all).
    Export {
        #[arg(long, conflicts_with = "all", required_unless_present = "all")]
        hearing: Option<String>,
        #[arg(long)]
        all: bool,
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
pub enum AdminCommand {
    /// Create an administrator (the first one, or another). The password is read
    /// from PINGYI_ADMIN_PASSWORD, or else from the first line of standard input.
    Create {
        #[arg(long)]
        username: String,
        /// The name shown in the UI and the minutes, e.g. 王主任.
        #[arg(long)]
        display_name: String,
    },
}

#[derive(Args, Debug, Clone)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "PINGYI_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,
    /// The built site (hydration bundle, CSS): `make build` writes it to target/site.
    #[arg(long, env = "PINGYI_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,
    /// CJK font for the minutes PDF (OTF/TTF); `make build` fetches Noto Sans SC.
    #[arg(
        long,
        env = "PINGYI_FONT",
        default_value = "target/fonts/NotoSansHans-Regular.otf"
    )]
    pub font: PathBuf,
    /// The address people reach this server at, for invitation links
    /// (e.g. https://xinfang.example.gov.cn); default: the Host of the request.
    #[arg(long, env = "PINGYI_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Mark the session cookie Secure (set when serving behind TLS).
    #[arg(long, env = "PINGYI_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// Minutes of inactivity after which a session ends.
    #[arg(long, env = "PINGYI_SESSION_IDLE_MINUTES", default_value_t = 30)]
    pub session_idle_minutes: i64,
    /// Hours after a login (or a party's entry) at which its session ends
    /// however active it is (the absolute lifetime).
    #[arg(long, env = "PINGYI_SESSION_MAX_HOURS", default_value_t = 12)]
    pub session_max_hours: i64,
    /// Limits on connections and who a client is (docs/SECURITY.md).
    #[command(flatten)]
    pub guard: GuardArgs,
    /// Seconds a stopping server waits for requests still in flight before it
    /// stops without them (a stop must end before a service manager kills it).
    #[arg(long, env = "PINGYI_SHUTDOWN_GRACE_SECONDS", default_value_t = 15)]
    pub shutdown_grace_seconds: u64,
    /// The office's name as notices and announcements print it, e.g. 海宁市信访局.
    #[arg(long, env = "PINGYI_OFFICE_NAME", default_value = "信访局")]
    pub office_name: String,
    /// The time zone calendars (.ics) are written in: its IANA name …
    #[arg(long, env = "PINGYI_TIMEZONE", default_value = "Asia/Shanghai")]
    pub timezone: String,
    /// … and its offset from UTC, e.g. +08:00 (zones without daylight saving).
    #[arg(long, env = "PINGYI_UTC_OFFSET", default_value = "+08:00", value_parser = parse_utc_offset)]
    pub utc_offset: i32,
    /// Where evidence files are stored (default: <data dir>/evidence). Keep it
    /// outside anything a web server serves.
    #[arg(long, env = "PINGYI_EVIDENCE_DIR")]
    pub evidence_dir: Option<PathBuf>,
    /// Largest evidence file accepted, in MB.
    #[arg(long, env = "PINGYI_EVIDENCE_MAX_FILE_MB", default_value_t = 50)]
    pub evidence_max_file_mb: u64,
    /// Most evidence one hearing may hold, in MB.
    #[arg(long, env = "PINGYI_EVIDENCE_MAX_HEARING_MB", default_value_t = 500)]
    pub evidence_max_hearing_mb: u64,
    /// Evidence file types accepted (judged by content): any of
    /// pdf, jpeg, png, webp, mp3, m4a, mp4, docx, xlsx.
    #[arg(
        long,
        env = "PINGYI_EVIDENCE_TYPES",
        default_value = "pdf,jpeg,png,webp,mp3,m4a,mp4,docx,xlsx"
    )]
    pub evidence_types: String,
    /// Do not load the demo into an empty database.
    #[arg(long, env = "PINGYI_NO_DEMO")]
    pub no_demo: bool,
    /// Where the minutes signing key and certificate live (default: <data dir>/signing).
    #[arg(long, env = "PINGYI_SIGNING_DIR")]
    pub signing_dir: Option<PathBuf>,
    /// Public minutes verifications (`POST /verify`, no login) at once; more are
    /// refused with 503 until one ends.
    #[arg(long, env = "PINGYI_VERIFY_CONCURRENCY", default_value_t = 8)]
    pub verify_concurrency: usize,
    /// How long a `/verify` upload may take from the first byte to the last.
    #[arg(long, env = "PINGYI_VERIFY_UPLOAD_SECONDS", default_value_t = 120)]
    pub verify_upload_seconds: u64,
    /// Set by `serve` when the demo was just loaded: its completed hearing is then
    /// finalised (needs the press, which exists only once the server is built).
    #[arg(skip)]
    pub demo_loaded: bool,
}

/// Who a client is and how many live sockets it may hold (#21).
#[derive(Args, Debug, Clone)]
pub struct GuardArgs {
    /// Reverse proxies (addresses or CIDR ranges, comma-separated) whose
    /// X-Forwarded-For header names the client. Empty (the default): the header
    /// is ignored and the client is the connection's peer address.
    #[arg(long, env = "PINGYI_TRUSTED_PROXIES", default_value = "")]
    pub trusted_proxies: String,
    /// Most live sockets (/ws) one client address may hold at once.
    #[arg(long, env = "PINGYI_WS_MAX_PER_ADDRESS", default_value_t = 50)]
    pub ws_max_per_address: usize,
    /// Most live sockets the server holds at once (also kept below the
    /// process's open-file limit).
    #[arg(long, env = "PINGYI_WS_MAX_TOTAL", default_value_t = 10_000)]
    pub ws_max_total: usize,
}

impl Default for GuardArgs {
    fn default() -> Self {
        GuardArgs {
            trusted_proxies: String::new(),
            ws_max_per_address: 50,
            ws_max_total: 10_000,
        }
    }
}

/// "+08:00", "+0545", "-03:00" → seconds east of UTC.
pub fn parse_utc_offset(raw: &str) -> Result<i32, String> {
    let raw = raw.trim();
    let (sign, rest) = match raw.chars().next() {
        Some('+') => (1, &raw[1..]),
        Some('-') => (-1, &raw[1..]),
        _ => {
            return Err("须以 + 或 - 开头，如 +08:00 / must start with + or -, e.g. +08:00".into());
        }
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if digits.len() != 4 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err("格式应为 +HH:MM / expected +HH:MM".into());
    }
    let hours: i32 = digits[..2].parse().map_err(|_| "hours".to_string())?;
    let minutes: i32 = digits[2..].parse().map_err(|_| "minutes".to_string())?;
    if hours > 14 || minutes > 59 {
        return Err("超出范围 / out of range".into());
    }
    Ok(sign * (hours * 3600 + minutes * 60))
}

impl ServeArgs {
    /// The evidence limits these arguments set, or what is wrong with them.
    pub fn evidence_limits(&self) -> anyhow::Result<app::domain::evidence::IntakeLimits> {
        use app::domain::evidence::{IntakeLimits, MIB};
        if self.evidence_max_file_mb == 0
            || self.evidence_max_hearing_mb < self.evidence_max_file_mb
        {
            anyhow::bail!(
                "证据大小上限无效：单个文件须大于 0，且不超过每场听证的总上限 / \
                 evidence limits: the per-file cap must be > 0 and ≤ the per-hearing cap"
            );
        }
        Ok(IntakeLimits {
            max_file_bytes: self.evidence_max_file_mb.saturating_mul(MIB),
            max_hearing_bytes: self.evidence_max_hearing_mb.saturating_mul(MIB),
            accepted: IntakeLimits::parse_kinds(&self.evidence_types)
                .map_err(anyhow::Error::msg)?,
        })
    }

    /// `pingyi` without a subcommand serves with the environment's settings.
    pub fn from_env() -> anyhow::Result<ServeArgs> {
        #[derive(Parser)]
        struct ServeOnly {
            #[command(flatten)]
            args: ServeArgs,
        }
        Ok(ServeOnly::try_parse_from(["pingyi"])?.args)
    }
}

/// Where the data lives, resolved: every command needs this.
#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    pub data_dir: PathBuf,
}

impl Config {
    /// Resolves defaults and makes sure the data directory exists and is writable,
    /// so that a wrong path fails here with one clear line.
    pub fn resolve(common: &Common) -> anyhow::Result<Config> {
        prepare_data_dir(&common.data_dir)?;
        let database_url = match &common.database_url {
            Some(url) if !url.trim().is_empty() => url.trim().to_owned(),
            _ => format!("sqlite:{}", common.data_dir.join("pingyi.db").display()),
        };
        Ok(Config {
            database_url,
            data_dir: common.data_dir.clone(),
        })
    }
}

fn prepare_data_dir(dir: &Path) -> anyhow::Result<()> {
    let fail = |e: std::io::Error| {
        anyhow::anyhow!(
            "数据目录不可用 / data directory {} is not usable: {e}",
            dir.display()
        )
    };
    std::fs::create_dir_all(dir).map_err(fail)?;
    let probe = dir.join(".pingyi-write-test");
    std::fs::write(&probe, b"ok").map_err(fail)?;
    std::fs::remove_file(&probe).map_err(fail)?;
    Ok(())
}
