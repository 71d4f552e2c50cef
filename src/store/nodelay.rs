//! `TCP_NODELAY` for the PostgreSQL connections.
//!
//! sqlx 0.9.0 stopped setting `TCP_NODELAY` on its sockets (transact-rs/sqlx#4335; the fix, #4336,
//! is merged but not released). Without it a message that leaves in more than one write waits for
//! the server's delayed ACK: measured here, every 64-row INSERT of lobbies took 43 ms instead of about
//! 1 ms, which made lobby opening on PostgreSQL twenty times slower than on SQLite. sqlx gives no access
//! to its socket, so after each new connection this sets the option on every TCP socket of the
//! process (`/proc/self/fd`); on a socket that already has it, or that is not a database's, setting it
//! is harmless. Remove this module once a sqlx release with the fix is in `Cargo.lock`.

/// Sets `TCP_NODELAY` on every TCP socket this process holds (Linux; elsewhere nothing).
pub fn set_on_tcp_sockets() {
    for fd in tcp_sockets() {
        set(fd);
    }
}

/// Test hook: every TCP socket this process holds, with whether `TCP_NODELAY` is set on it.
#[cfg(feature = "test-hooks")]
pub fn tcp_sockets_nodelay() -> Vec<(i32, bool)> {
    tcp_sockets().into_iter().map(|fd| (fd, get(fd))).collect()
}

#[cfg(target_os = "linux")]
fn tcp_sockets() -> Vec<i32> {
    let Ok(entries) = std::fs::read_dir("/proc/self/fd") else { return Vec::new() };
    entries
        .flatten()
        .filter(|e| std::fs::read_link(e.path()).is_ok_and(|t| t.to_string_lossy().starts_with("socket:")))
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .filter(|fd| {
            let (domain, kind) =
                (int_option(*fd, libc::SOL_SOCKET, libc::SO_DOMAIN), int_option(*fd, libc::SOL_SOCKET, libc::SO_TYPE));
            matches!(domain, Some(libc::AF_INET | libc::AF_INET6)) && kind == Some(libc::SOCK_STREAM)
        })
        .collect()
}

#[cfg(not(target_os = "linux"))]
fn tcp_sockets() -> Vec<i32> {
    Vec::new()
}

#[cfg(target_os = "linux")]
fn int_option(fd: i32, level: i32, name: i32) -> Option<i32> {
    let mut value: libc::c_int = 0;
    let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: `getsockopt` writes at most `len` bytes into `value`, which is that large; a stale or
    // non-socket fd makes it fail, which is answered with `None`.
    let rc = unsafe { libc::getsockopt(fd, level, name, (&raw mut value).cast(), &mut len) };
    (rc == 0).then_some(value)
}

#[cfg(all(target_os = "linux", feature = "test-hooks"))]
fn get(fd: i32) -> bool {
    int_option(fd, libc::IPPROTO_TCP, libc::TCP_NODELAY).is_some_and(|v| v != 0)
}

#[cfg(target_os = "linux")]
fn set(fd: i32) {
    let one: libc::c_int = 1;
    // SAFETY: `setsockopt` reads `size_of::<c_int>()` bytes from `one`; on an fd that is no longer a
    // TCP socket it fails and nothing changes.
    unsafe {
        libc::setsockopt(
            fd,
            libc::IPPROTO_TCP,
            libc::TCP_NODELAY,
            (&raw const one).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        );
    }
}

#[cfg(all(not(target_os = "linux"), feature = "test-hooks"))]
fn get(_: i32) -> bool {
    false
}

#[cfg(not(target_os = "linux"))]
fn set(_: i32) {}
