//! A private PostgreSQL + PostGIS cluster under a data directory, used when no DATABASE_URL is
//! given, like an embedded database: installed if missing (Debian/Ubuntu), initialised once,
//! listening on 127.0.0.1 only, with a generated password kept in the data directory.

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, bail};

/// PostgreSQL's default 128 MB of shared buffers makes a large directory read most pages from
/// the operating system's cache on every search; a quarter of the machine's memory, between
/// 128 MB and 2 GB, is the usual advice for a dedicated server.
fn shared_buffers_mb() -> u64 {
    let total_kb = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|rest| {
                    rest.trim()
                        .trim_end_matches("kB")
                        .trim()
                        .parse::<u64>()
                        .ok()
                })
        })
        .unwrap_or(0);
    (total_kb / 1024 / 4).clamp(128, 2048)
}

#[derive(Debug, Clone)]
pub struct LocalCluster {
    bin_dir: PathBuf,
    pgdata: PathBuf,
    log_file: PathBuf,
    port: u16,
    password: String,
    as_postgres_user: bool,
}

/// A child process whose standard output goes to our standard error. What the commands that
/// start a cluster print on standard output is read by other programs (`cluster start` prints
/// only the database URL, `keys create` only the key), so nothing a child says may land there:
/// apt-get, for one, reports its progress on standard output.
fn child(program: impl AsRef<std::ffi::OsStr>) -> Command {
    let mut cmd = Command::new(program);
    cmd.stdin(Stdio::null())
        .stdout(Stdio::from(std::io::stderr()));
    cmd
}

fn running_as_root() -> bool {
    fs::metadata("/proc/self")
        .map(|m| m.uid() == 0)
        .unwrap_or(false)
}

/// PostgreSQL server binaries, newest version first.
fn server_bin_dirs() -> Vec<(u32, PathBuf)> {
    let mut found: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version: u32 = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    found.sort_by_key(|f| std::cmp::Reverse(f.0));
    found
}

fn postgis_installed(version: u32) -> bool {
    Path::new(&format!(
        "/usr/share/postgresql/{version}/extension/postgis.control"
    ))
    .exists()
}

/// Installs Debian/Ubuntu packages when we are allowed to, or says exactly what to install.
fn apt_install(packages: &[&str]) -> anyhow::Result<()> {
    let list = packages.join(" ");
    let sudo = if running_as_root() {
        None
    } else if child("sudo")
        .args(["-n", "true"])
        .status()
        .is_ok_and(|s| s.success())
    {
        Some("sudo")
    } else {
        bail!("missing packages: {list}. Install them with: sudo apt-get install -y {list}");
    };
    tracing::info!(packages = %list, "installing missing packages with apt-get");
    let run = |args: &[&str]| -> anyhow::Result<bool> {
        let mut cmd = match sudo {
            Some(s) => {
                let mut c = child(s);
                c.arg("apt-get");
                c
            }
            None => child("apt-get"),
        };
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        Ok(cmd.status().context("running apt-get")?.success())
    };
    let mut install = vec!["install", "-y", "-q"];
    install.extend_from_slice(packages);
    if run(&install)? {
        return Ok(());
    }
    // A fresh machine may have no package lists yet.
    run(&["update", "-q"])?;
    if !run(&install)? {
        bail!("apt-get could not install {list}; install them by hand and try again");
    }
    Ok(())
}

/// Finds (installing if needed) the PostgreSQL server and PostGIS; returns the bin directory.
pub fn ensure_installed() -> anyhow::Result<PathBuf> {
    if server_bin_dirs().is_empty() {
        apt_install(&["postgresql", "postgresql-contrib"])?;
    }
    let Some((version, bin)) = server_bin_dirs().into_iter().next() else {
        bail!(
            "no PostgreSQL server found under /usr/lib/postgresql after installing; install postgresql"
        );
    };
    if !postgis_installed(version) {
        apt_install(&[&format!("postgresql-{version}-postgis-3")])?;
        if !postgis_installed(version) {
            bail!(
                "PostGIS for PostgreSQL {version} is still missing; install postgresql-{version}-postgis-3"
            );
        }
    }
    Ok(bin)
}

fn random_password() -> anyhow::Result<String> {
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness available: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

impl LocalCluster {
    /// Prepares (installs, initialises) the cluster in `data_dir` without starting it.
    pub fn prepare(data_dir: &Path, port: u16) -> anyhow::Result<Self> {
        let bin_dir = ensure_installed()?;
        fs::create_dir_all(data_dir).with_context(|| format!("creating {}", data_dir.display()))?;
        let data_dir = data_dir.canonicalize()?;
        let version = bin_dir
            .parent()
            .and_then(|p| p.file_name())
            .and_then(|n| n.to_str())
            .unwrap_or("pg")
            .to_string();
        let cluster = LocalCluster {
            pgdata: data_dir.join(format!("pg{version}")),
            log_file: data_dir.join("postgresql.log"),
            password: String::new(),
            as_postgres_user: running_as_root(),
            bin_dir,
            port,
        };
        let password_file = data_dir.join("pg-password");
        let password = if cluster.pgdata.join("PG_VERSION").exists() {
            fs::read_to_string(&password_file)
                .with_context(|| format!("reading {}", password_file.display()))?
                .trim()
                .to_string()
        } else {
            let password = random_password()?;
            fs::write(&password_file, &password)?;
            fs::set_permissions(&password_file, fs::Permissions::from_mode(0o600))?;
            let cluster = LocalCluster {
                password: password.clone(),
                ..cluster.clone()
            };
            cluster.init(&data_dir, &password_file)?;
            password
        };
        Ok(LocalCluster {
            password,
            ..cluster
        })
    }

    /// A streaming hot standby of `primary` (which must be running) in `data_dir`, copied with
    /// `pg_basebackup -R` and not started yet. Used to test reading from replicas.
    pub fn standby_of(primary: &LocalCluster, data_dir: &Path, port: u16) -> anyhow::Result<Self> {
        fs::create_dir_all(data_dir).with_context(|| format!("creating {}", data_dir.display()))?;
        let data_dir = data_dir.canonicalize()?;
        let standby = LocalCluster {
            pgdata: data_dir.join(primary.pgdata.file_name().unwrap_or_default()),
            log_file: data_dir.join("postgresql.log"),
            port,
            ..primary.clone()
        };
        if standby.pgdata.join("PG_VERSION").exists() {
            return Ok(standby);
        }
        let password_file = data_dir.join("pg-password");
        fs::write(&password_file, &primary.password)?;
        fs::set_permissions(&password_file, fs::Permissions::from_mode(0o600))?;
        if standby.as_postgres_user {
            let status = child("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&data_dir)
                .status()?;
            if !status.success() {
                bail!("could not give {} to the postgres user", data_dir.display());
            }
        }
        let source = format!(
            "host=127.0.0.1 port={} user=postgres password={}",
            primary.port, primary.password
        );
        standby.run(
            "pg_basebackup",
            &[
                "-D",
                &standby.pgdata.to_string_lossy(),
                "-d",
                &source,
                "-R",
                "-X",
                "stream",
                "-c",
                "fast",
            ],
        )?;
        Ok(standby)
    }

    fn init(&self, data_dir: &Path, password_file: &Path) -> anyhow::Result<()> {
        tracing::info!(pgdata = %self.pgdata.display(), "initialising a private PostgreSQL cluster");
        if self.as_postgres_user {
            // initdb refuses to run as root; the cluster belongs to the postgres user.
            let status = child("chown")
                .args(["-R", "postgres:postgres"])
                .arg(data_dir)
                .status()?;
            if !status.success() {
                bail!("could not give {} to the postgres user", data_dir.display());
            }
            let can_enter = child("runuser")
                .args(["-u", "postgres", "--", "test", "-w"])
                .arg(data_dir)
                .status()
                .is_ok_and(|s| s.success());
            if !can_enter {
                bail!(
                    "the postgres user cannot write to {} (a parent directory is private?); choose another --data-dir, e.g. /var/lib/community-assets",
                    data_dir.display()
                );
            }
        }
        let pwfile = password_file.to_string_lossy().to_string();
        self.run(
            "initdb",
            &[
                "-D",
                &self.pgdata.to_string_lossy(),
                "-U",
                "postgres",
                "--auth=scram-sha-256",
                "--pwfile",
                &pwfile,
                "--encoding=UTF8",
                "--locale=C",
                "--no-instructions",
            ],
        )
    }

    fn command(&self, program: &str) -> Command {
        let path = self.bin_dir.join(program);
        if self.as_postgres_user {
            let mut cmd = child("runuser");
            cmd.args(["-u", "postgres", "--"]).arg(path);
            cmd
        } else {
            child(path)
        }
    }

    fn run(&self, program: &str, args: &[&str]) -> anyhow::Result<()> {
        let output = self
            .command(program)
            .args(args)
            .output()
            .with_context(|| format!("running {program}"))?;
        if !output.status.success() {
            bail!(
                "{program} failed: {}{}",
                String::from_utf8_lossy(&output.stderr),
                fs::read_to_string(&self.log_file)
                    .map(|l| format!("\nserver log:\n{l}"))
                    .unwrap_or_default()
            );
        }
        Ok(())
    }

    pub fn is_running(&self) -> bool {
        self.command("pg_ctl")
            .args(["status", "-D"])
            .arg(&self.pgdata)
            .output()
            .is_ok_and(|o| o.status.success())
    }

    /// Starts the cluster unless it already runs; returns whether this call started it.
    pub fn start(&self, ephemeral: bool) -> anyhow::Result<bool> {
        if self.is_running() {
            return Ok(false);
        }
        let mut options = format!(
            "-c listen_addresses=127.0.0.1 -c port={} -c unix_socket_directories='' -c max_connections=200 \
             -c shared_buffers={}MB",
            self.port,
            shared_buffers_mb()
        );
        if ephemeral {
            options.push_str(" -c fsync=off -c synchronous_commit=off -c full_page_writes=off");
        }
        tracing::info!(port = self.port, "starting the private PostgreSQL cluster");
        self.run(
            "pg_ctl",
            &[
                "start",
                "-w",
                "-t",
                "60",
                "-D",
                &self.pgdata.to_string_lossy(),
                "-l",
                &self.log_file.to_string_lossy(),
                "-o",
                &options,
            ],
        )?;
        Ok(true)
    }

    pub fn stop(&self) -> anyhow::Result<()> {
        if !self.is_running() {
            return Ok(());
        }
        tracing::info!("stopping the private PostgreSQL cluster");
        self.run(
            "pg_ctl",
            &[
                "stop",
                "-m",
                "fast",
                "-w",
                "-D",
                &self.pgdata.to_string_lossy(),
            ],
        )
    }

    pub fn url(&self, database: &str) -> String {
        format!(
            "postgres://postgres:{}@127.0.0.1:{}/{database}",
            self.password, self.port
        )
    }
}
