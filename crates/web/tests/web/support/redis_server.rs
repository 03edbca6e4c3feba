//! A private `redis-server` per test.

use super::ops::free_port;

/// A private `redis-server` on a free port, stopped at drop. Tests never touch a Redis that
/// something else uses.
pub struct RedisServer {
    pub port: u16,
    child: std::process::Child,
}

impl RedisServer {
    /// Nothing kept on disk, on a free port.
    pub async fn start() -> RedisServer {
        Self::start_with(free_port(), &["--save", "", "--appendonly", "no"]).await
    }

    /// Plain TCP on `port`, every write on disk in `dir` before it is acknowledged, so a server
    /// started again on the same `dir` has every session.
    pub async fn persistent(port: u16, dir: &std::path::Path) -> RedisServer {
        let dir = dir.display().to_string();
        let args = [
            "--save",
            "",
            "--appendonly",
            "yes",
            "--appendfsync",
            "always",
            "--dir",
            &dir,
        ];
        Self::start_with(port, &args).await
    }

    /// A server on `port` with extra arguments (TLS, a password…).
    pub async fn start_with(port: u16, args: &[&str]) -> RedisServer {
        let child = std::process::Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
            .args(args)
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("redis-server must be installed (scripts/test installs it)");
        let server = RedisServer { port, child };
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return server;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("redis-server did not start on port {port}");
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    /// Every key and its value (for "no secret in the store" checks).
    pub fn dump(&self) -> Vec<u8> {
        let out = std::process::Command::new("redis-cli")
            .args(["-p", &self.port.to_string(), "--scan"])
            .output()
            .expect("redis-cli");
        let mut bytes = out.stdout.clone();
        for key in String::from_utf8_lossy(&out.stdout).lines() {
            let kind = std::process::Command::new("redis-cli")
                .args(["-p", &self.port.to_string(), "TYPE", key])
                .output()
                .unwrap();
            let command: &[&str] = if String::from_utf8_lossy(&kind.stdout).trim() == "set" {
                &["SMEMBERS"]
            } else {
                &["GET"]
            };
            let value = std::process::Command::new("redis-cli")
                .args(["-p", &self.port.to_string()])
                .args(command)
                .arg(key)
                .output()
                .unwrap();
            bytes.extend(value.stdout);
        }
        bytes
    }

    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}
