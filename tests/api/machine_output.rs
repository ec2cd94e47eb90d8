//! What a command prints for another program to read is the only thing on its standard output:
//! `cluster start` prints the database URL, `keys create` the key. `scripts/test` reads both with
//! `$(…)`, so a child process (apt-get above all) that reports on standard output would hand it
//! a broken URL, as happened on a fresh machine without PostGIS.
//!
//! Stand-ins for the programs the cluster set-up runs (`apt-get`, `sudo`, `chown`, `runuser`)
//! come first on `PATH`; each prints noise on standard output and then does the real work. As
//! root, the run happens in a private mount namespace where PostGIS's extension directory is
//! hidden under an empty tmpfs, so PostGIS looks missing and the real install path runs: the
//! `apt-get` stand-in "installs" it by lifting the tmpfs.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const NOISE: &str = "STAND-IN NOISE ON STDOUT";

fn write_script(dir: &Path, name: &str, body: &str) {
    let path = dir.join(name);
    std::fs::write(
        &path,
        format!("#!/bin/sh\necho '{NOISE} from {name}'\n{body}\n"),
    )
    .unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn real(program: &str) -> Option<String> {
    let out = Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .ok()?;
    let path = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!path.is_empty()).then_some(path)
}

fn stand_ins(dir: &Path) {
    for program in ["chown", "runuser", "sudo"] {
        let body = match real(program) {
            Some(path) => format!("exec {path} \"$@\""),
            None => "exit 1".to_string(),
        };
        write_script(dir, program, &body);
    }
    // Installing PostGIS here means showing the directory the namespace hid.
    write_script(
        dir,
        "apt-get",
        "[ -n \"$CA_TEST_HIDDEN_DIR\" ] && umount \"$CA_TEST_HIDDEN_DIR\" 2>/dev/null\nexit 0",
    );
}

fn postgis_extension_dir() -> Option<PathBuf> {
    std::fs::read_dir("/usr/share/postgresql")
        .ok()?
        .flatten()
        .map(|e| e.path().join("extension"))
        .find(|dir| dir.join("postgis.control").exists())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}

/// Runs the binary with the stand-ins first on PATH, PostGIS hidden when that is possible.
/// Returns the output and whether the apt-get path was taken.
fn run(stand_in_dir: &Path, args: &[&str]) -> (Output, bool) {
    let bin = env!("CARGO_BIN_EXE_community-assets");
    let path = format!(
        "{}:{}",
        stand_in_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let hidden = postgis_extension_dir().filter(|_| is_root() && real("unshare").is_some());
    let mut cmd = match &hidden {
        Some(dir) => {
            let mut c = Command::new("unshare");
            c.args(["--mount", "--propagation", "private", "sh", "-c"])
                .arg(format!(
                    "mount -t tmpfs none '{}' && exec \"$0\" \"$@\"",
                    dir.display()
                ))
                .arg(bin)
                .env("CA_TEST_HIDDEN_DIR", dir);
            c
        }
        None => Command::new(bin),
    };
    let output = cmd
        .args(args)
        .env("PATH", path)
        .env_remove("DATABASE_URL")
        .output()
        .expect("the binary runs");
    let took_apt = String::from_utf8_lossy(&output.stderr).contains("from apt-get");
    (output, hidden.is_some() && took_apt)
}

/// Stops the test's cluster and removes its folder, even when an assertion fails.
struct Cleanup {
    work: PathBuf,
    port: String,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        let _ = Command::new(env!("CARGO_BIN_EXE_community-assets"))
            .args(["cluster", "stop", "--pg-port", &self.port, "--data-dir"])
            .arg(self.work.join("data"))
            .output();
        let _ = std::fs::remove_dir_all(&self.work);
    }
}

#[test]
fn cluster_start_and_keys_create_print_nothing_but_their_answer_on_stdout() {
    let work = std::env::temp_dir().join(format!("ca-stdout-{}", uuid::Uuid::new_v4().simple()));
    let stand_in_dir = work.join("bin");
    std::fs::create_dir_all(&stand_in_dir).unwrap();
    stand_ins(&stand_in_dir);
    let data_dir = work.join("data");
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port().to_string()
    };
    let _cleanup = Cleanup {
        work: work.clone(),
        port: port.clone(),
    };
    let cluster = [
        "--data-dir",
        data_dir.to_str().unwrap(),
        "--pg-port",
        port.as_str(),
    ];

    let mut start = vec!["cluster", "start", "--ephemeral", "--database", "machine"];
    start.extend(cluster);
    let (output, took_apt) = run(&stand_in_dir, &start);
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    assert!(output.status.success(), "cluster start failed: {stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines.len(),
        1,
        "stdout must be the URL alone, got:\n{stdout}"
    );
    assert!(
        lines[0].starts_with("postgres://") && lines[0].ends_with("/machine"),
        "{stdout}"
    );
    if is_root() {
        // As root the cluster is handed to the postgres user: the stand-ins ran, and their
        // noise went to stderr.
        assert!(
            stderr.contains(NOISE),
            "the stand-ins did not run: {stderr}"
        );
        if postgis_extension_dir().is_some() && real("unshare").is_some() {
            assert!(
                took_apt,
                "PostGIS was hidden, so apt-get should have run: {stderr}"
            );
        }
    }

    // `keys create` on the private cluster: only the key on stdout.
    let mut keys = vec![
        "keys",
        "create",
        "--role",
        "admin",
        "--name",
        "stdout check",
    ];
    keys.extend(cluster);
    let (output, _) = run(&stand_in_dir, &keys);
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(
        output.status.success(),
        "keys create failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(
        stdout.starts_with("ca_") && stdout.trim().len() == 46,
        "{stdout}"
    );

    let mut stop = vec!["cluster", "stop"];
    stop.extend(cluster);
    let (output, _) = run(&stand_in_dir, &stop);
    assert!(output.status.success());
    assert!(
        output.stdout.is_empty(),
        "{:?}",
        String::from_utf8_lossy(&output.stdout)
    );
    let _ = std::fs::remove_dir_all(&work);
}
