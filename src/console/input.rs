//! Where the console's lines come from. A pipe is read with a bounded buffer: a line longer than
//! [`MAX_LINE_LEN`] is discarded up to its newline without ever being held whole, and bytes that
//! are not UTF-8 make one error line, never the end of the session. An interactive terminal gets
//! line editing and history (rustyline), read on a thread of its own.

use std::io;

use tokio::io::{AsyncBufRead, AsyncBufReadExt};
use tokio::sync::mpsc;

use super::MAX_LINE_LEN;

/// One line of input, or why there is none to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A line of text (without its line break).
    Line(String),
    /// The line was longer than [`MAX_LINE_LEN`] bytes; it was discarded.
    TooLong,
    /// The line was not valid UTF-8; it was discarded.
    NotUtf8,
}

/// Lines of an async reader, each at most `max` bytes held.
pub struct BoundedLines<R> {
    reader: R,
    max: usize,
    line: Vec<u8>,
    overlong: bool,
}

impl<R: AsyncBufRead + Unpin> BoundedLines<R> {
    /// Lines of at most [`MAX_LINE_LEN`] bytes.
    pub fn new(reader: R) -> Self {
        Self::with_limit(reader, MAX_LINE_LEN)
    }

    /// Lines of at most `max` bytes.
    pub fn with_limit(reader: R, max: usize) -> Self {
        BoundedLines { reader, max, line: Vec::new(), overlong: false }
    }

    /// The next line; `None` at the end of input. Cancel-safe: a partly read line is kept.
    pub async fn next(&mut self) -> io::Result<Option<Input>> {
        loop {
            let chunk = self.reader.fill_buf().await?;
            if chunk.is_empty() {
                // End of input: a last line without a newline still counts.
                if self.line.is_empty() && !self.overlong {
                    return Ok(None);
                }
                return Ok(Some(self.finish()));
            }
            let (piece, used, done) = match chunk.iter().position(|b| *b == b'\n') {
                Some(i) => (&chunk[..i], i + 1, true),
                None => (chunk, chunk.len(), false),
            };
            if !self.overlong {
                if self.line.len() + piece.len() > self.max {
                    // Over the limit: forget what was kept and skip the rest of the line.
                    self.overlong = true;
                    self.line = Vec::new();
                } else {
                    self.line.extend_from_slice(piece);
                }
            }
            self.reader.consume(used);
            if done {
                return Ok(Some(self.finish()));
            }
        }
    }

    fn finish(&mut self) -> Input {
        let line = std::mem::take(&mut self.line);
        if std::mem::take(&mut self.overlong) {
            return Input::TooLong;
        }
        let line = line.strip_suffix(b"\r").map(<[u8]>::to_vec).unwrap_or(line);
        match String::from_utf8(line) {
            Ok(text) => Input::Line(text),
            Err(_) => Input::NotUtf8,
        }
    }
}

/// An interactive terminal: rustyline on its own thread, one line at a time. After handing a line
/// over, the thread waits until the console has answered it, so the next prompt follows the reply.
pub struct Terminal {
    lines: mpsc::Receiver<Input>,
    answered: std::sync::mpsc::Sender<()>,
    owes_answer: bool,
    printer: Option<Box<dyn rustyline::ExternalPrinter + Send>>,
}

impl Terminal {
    /// Starts the line editor with `prompt`.
    pub fn start(prompt: &'static str) -> io::Result<Terminal> {
        let mut editor = rustyline::DefaultEditor::new().map_err(io::Error::other)?;
        let printer =
            editor.create_external_printer().ok().map(|p| Box::new(p) as Box<dyn rustyline::ExternalPrinter + Send>);
        let (tx, lines) = mpsc::channel(1);
        let (answered, wait) = std::sync::mpsc::channel::<()>();
        std::thread::Builder::new().name("console-input".into()).spawn(move || {
            let mut errors = 0;
            loop {
                let input = match editor.readline(prompt) {
                    Ok(line) if line.len() > MAX_LINE_LEN => Input::TooLong,
                    Ok(line) => {
                        let _ = editor.add_history_entry(line.as_str());
                        errors = 0;
                        Input::Line(line)
                    }
                    // Ctrl-C clears the line being typed, as in a shell.
                    Err(rustyline::error::ReadlineError::Interrupted) => continue,
                    Err(rustyline::error::ReadlineError::Eof) => return,
                    Err(_) if errors < 3 => {
                        errors += 1;
                        Input::NotUtf8
                    }
                    Err(_) => return,
                };
                if tx.blocking_send(input).is_err() || wait.recv().is_err() {
                    return;
                }
            }
        })?;
        Ok(Terminal { lines, answered, owes_answer: false, printer })
    }

    /// The next line; `None` at the end of input (Ctrl-D). Cancel-safe.
    pub async fn next(&mut self) -> io::Result<Option<Input>> {
        if std::mem::take(&mut self.owes_answer) {
            let _ = self.answered.send(());
        }
        let input = self.lines.recv().await;
        self.owes_answer = input.is_some();
        Ok(input)
    }

    /// Prints above the prompt while a line is being typed (lobby expiry); `false` if it cannot.
    pub fn print(&mut self, text: &str) -> bool {
        self.printer.as_mut().is_some_and(|p| p.print(format!("{text}\n")).is_ok())
    }
}

/// The console's input: a pipe (or a file), or an interactive terminal.
pub enum Source<R> {
    /// Plain lines.
    Pipe(BoundedLines<R>),
    /// Line editing and history.
    Terminal(Terminal),
}

impl<R: AsyncBufRead + Unpin> Source<R> {
    /// The next line; `None` at the end of input.
    pub async fn next(&mut self) -> io::Result<Option<Input>> {
        match self {
            Source::Pipe(lines) => lines.next().await,
            Source::Terminal(term) => term.next().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn all(bytes: &[u8], max: usize) -> Vec<Input> {
        let reader = tokio::io::BufReader::with_capacity(7, bytes);
        let mut lines = BoundedLines::with_limit(reader, max);
        let mut out = Vec::new();
        while let Some(line) = lines.next().await.unwrap() {
            out.push(line);
        }
        out
    }

    #[tokio::test]
    async fn long_and_broken_lines_are_skipped_to_their_newline() {
        let input = b"ok\r\nthis line is far too long\n\xff\xfe\nlast";
        let got = all(input, 10).await;
        assert_eq!(
            got,
            [Input::Line("ok".into()), Input::TooLong, Input::NotUtf8, Input::Line("last".into())],
            "{got:?}"
        );
        assert_eq!(all(b"exactly10!\n", 10).await, [Input::Line("exactly10!".into())]);
        assert_eq!(all(b"eleven char\n", 10).await, [Input::TooLong]);
        assert!(all(b"", 10).await.is_empty());
    }
}
