//! A throwaway PostgreSQL server for the receiver's tests: Debian's `postgresql-15` binaries,
//! a fresh cluster in a temporary directory, listening on 127.0.0.1 only (and a Unix socket in
//! that directory), trust authentication for the one local user `qianyue`. Run as the
//! `postgres` user when this runs as root (PostgreSQL refuses to run as root). Stopped and
//! deleted at the end, also when a step fails.
//!
//! TLS as in production: a throwaway CA and a server certificate for `127.0.0.1` and
//! `localhost` (P-256, two days, made with the `openssl` command), `ssl = on`, and a URL that
//! asks for `sslmode=verify-full` against that CA, so the tests reach the server over
//! verified TLS (crates/receiver/tests/receiver.rs `postgres_is_reached_over_tls`).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::Result;

/// A running server; stopped and removed on drop.
pub struct Postgres {
    bin: PathBuf,
    dir: PathBuf,
    run_as: Option<&'static str>,
    pub url: String,
}

/// The newest `/usr/lib/postgresql/<major>/bin` that has `initdb`.
fn bin_dir() -> Result<PathBuf> {
    let base = Path::new("/usr/lib/postgresql");
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir(base)
        .map_err(|e| format!("PostgreSQL is not installed ({}: {e})", base.display()))?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let major = e.file_name().to_string_lossy().parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((major, bin))
        })
        .collect();
    versions.sort();
    versions
        .pop()
        .map(|(_, bin)| bin)
        .ok_or_else(|| format!("no initdb under {}", base.display()))
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn free_port() -> Result<u16> {
    let listener =
        TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free loopback port: {e}"))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| e.to_string())
}

impl Postgres {
    pub fn start() -> Result<Postgres> {
        let bin = bin_dir()?;
        let run_as = is_root().then_some("postgres");
        let dir = std::env::temp_dir().join(format!("qianyue-pg-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let mut pg = Postgres {
            bin,
            dir,
            run_as,
            url: String::new(),
        };
        let tls = pg.dir.join("tls");
        make_certificates(&pg, &tls)?;
        if let Some(user) = run_as {
            pg.run("chown", &["-R", user, &pg.dir.display().to_string()], false)?;
        }
        let data = pg.dir.join("data").display().to_string();
        let initdb = pg.bin.join("initdb").display().to_string();
        pg.run(
            &initdb,
            &[
                "-D",
                &data,
                "-U",
                "qianyue",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            ],
            true,
        )?;
        let port = free_port()?;
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {port} -k {} -c max_connections=200 \
             -c ssl=on -c ssl_cert_file={} -c ssl_key_file={}",
            pg.dir.display(),
            tls.join("server.crt").display(),
            tls.join("server.key").display()
        );
        let log = pg.dir.join("server.log").display().to_string();
        let pg_ctl = pg.bin.join("pg_ctl").display().to_string();
        pg.run(
            &pg_ctl,
            &[
                "-D", &data, "-l", &log, "-o", &options, "-w", "-t", "60", "start",
            ],
            true,
        )
        .map_err(|e| {
            let log = std::fs::read_to_string(&log).unwrap_or_default();
            format!("{e}\n{log}")
        })?;
        pg.url = format!(
            "postgres://qianyue@127.0.0.1:{port}/postgres?sslmode=verify-full&sslrootcert={}",
            tls.join("ca.crt").display()
        );
        Ok(pg)
    }

    /// Runs a command, as the `postgres` user when `as_server_user` and this runs as root.
    fn run(&self, program: &str, args: &[&str], as_server_user: bool) -> Result {
        let mut command = match (as_server_user, self.run_as) {
            (true, Some(user)) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--", program]);
                c
            }
            _ => Command::new(program),
        };
        command.args(args).current_dir(&self.dir);
        let out = command
            .output()
            .map_err(|e| format!("cannot start `{program}`: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "`{program} {}` failed ({}): {}",
                args.join(" "),
                out.status,
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }
}

/// A CA and a server certificate signed by it, for 127.0.0.1 and localhost, in `dir`.
fn make_certificates(pg: &Postgres, dir: &Path) -> Result {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let at = |name: &str| dir.join(name).display().to_string();
    let ext = dir.join("server.ext");
    std::fs::write(
        &ext,
        "subjectAltName = IP:127.0.0.1, DNS:localhost\nbasicConstraints = critical, CA:FALSE\n\
         keyUsage = critical, digitalSignature\nextendedKeyUsage = serverAuth\n",
    )
    .map_err(|e| format!("{}: {e}", ext.display()))?;
    let curve = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let openssl = |args: &[&str]| {
        pg.run("openssl", args, false)
            .map_err(|e| format!("making the test certificates (is `openssl` installed?): {e}"))
    };
    let (ca_key, ca_crt) = (at("ca.key"), at("ca.crt"));
    let mut args = vec!["req", "-x509"];
    args.extend(curve);
    args.extend([
        "-keyout",
        &ca_key,
        "-out",
        &ca_crt,
        "-days",
        "2",
        "-subj",
        "/CN=Qianyue test CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    openssl(&args)?;
    let (key, csr, crt) = (at("server.key"), at("server.csr"), at("server.crt"));
    let mut args = vec!["req", "-new"];
    args.extend(curve);
    args.extend(["-keyout", &key, "-out", &csr, "-subj", "/CN=localhost"]);
    openssl(&args)?;
    let ext = ext.display().to_string();
    openssl(&[
        "x509",
        "-req",
        "-in",
        &csr,
        "-CA",
        &ca_crt,
        "-CAkey",
        &ca_key,
        "-CAcreateserial",
        "-out",
        &crt,
        "-days",
        "2",
        "-extfile",
        &ext,
    ])?;
    // PostgreSQL refuses a key others can read.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| format!("{key}: {e}"))?;
    }
    Ok(())
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let data = self.dir.join("data").display().to_string();
        let pg_ctl = self.bin.join("pg_ctl").display().to_string();
        let _ = self.run(&pg_ctl, &["-D", &data, "-m", "fast", "-w", "stop"], true);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
