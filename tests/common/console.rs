//! A console child with its input open and its JSON replies arriving on a channel, for tests that
//! talk to a running console line by line (ops endpoints, backups).

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// How long a reply may take.
pub const DEADLINE: Duration = Duration::from_secs(60);

/// A console child with its input open and its JSON replies arriving on a channel.
pub struct Console {
    child: Child,
    stdin: Option<ChildStdin>,
    replies: mpsc::Receiver<serde_json::Value>,
}

impl Console {
    pub fn start(mut cmd: std::process::Command) -> Console {
        let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, replies) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let reply = serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON: {line}: {e}"));
                if tx.send(reply).is_err() {
                    break;
                }
            }
        });
        Console { stdin: child.stdin.take(), child, replies }
    }

    /// Sends one line that has no reply (`as`).
    pub fn tell(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().unwrap();
        writeln!(stdin, "{line}").unwrap();
        stdin.flush().unwrap();
    }

    /// Sends one line and waits for its reply.
    pub fn say(&mut self, line: &str) -> serde_json::Value {
        self.tell(line);
        self.replies.recv_timeout(DEADLINE).unwrap_or_else(|e| panic!("no reply to `{line}`: {e}"))
    }

    /// Closes the input and waits for a clean exit; answers its standard error.
    pub fn finish(mut self) -> String {
        drop(self.stdin.take());
        let out = self.child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "the console failed: {stderr}");
        stderr
    }
}
