//! `TCP_NODELAY` on the receiver's PostgreSQL connections.
//!
//! sqlx 0.9.0 sets no `TCP_NODELAY` on its sockets (transact-rs/sqlx#4335; fixed upstream by
//! PR #4336, not in a release yet). Through rustls a write can leave in two segments, and the
//! second waits for the server's delayed ACK, about 40 ms: over TLS the store committed ten
//! times fewer consents per second than over plain TCP (docs/receiver.md). sqlx gives no access
//! to its socket, so after each new database connection the store calls [`on_peer_port`],
//! which sets the option on every TCP socket of this process whose peer is the database's
//! port. Setting it on a socket that has it already, or on one that is not TCP, is harmless.
//! Remove this module once a sqlx release sets the option itself.

/// Sets `TCP_NODELAY` on each connected socket of this process whose peer port is `port`;
/// how many it set. Linux (`/proc/self/fd`); elsewhere nothing is done.
pub fn on_peer_port(port: u16) -> usize {
    #[cfg(target_os = "linux")]
    {
        linux::on_peer_port(port)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = port;
        0
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use std::mem::size_of;

    pub fn on_peer_port(port: u16) -> usize {
        let Ok(dir) = std::fs::read_dir("/proc/self/fd") else {
            return 0;
        };
        dir.flatten()
            .filter_map(|e| e.file_name().to_str()?.parse::<libc::c_int>().ok())
            .filter(|&fd| peer_port(fd) == Some(port) && set_nodelay(fd))
            .count()
    }

    fn peer_port(fd: libc::c_int) -> Option<u16> {
        // SAFETY: an all-zero sockaddr_storage is a valid value of the type.
        let mut addr: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
        let mut len = size_of::<libc::sockaddr_storage>() as libc::socklen_t;
        // SAFETY: getpeername writes at most `len` bytes into `addr`, which is that large; an
        // fd that is not a connected socket (or was closed meanwhile) makes it fail.
        let r = unsafe { libc::getpeername(fd, (&raw mut addr).cast(), &mut len) };
        if r != 0 {
            return None;
        }
        match libc::c_int::from(addr.ss_family) {
            libc::AF_INET => {
                // SAFETY: the family says the storage holds a sockaddr_in.
                let a: &libc::sockaddr_in = unsafe { &*(&raw const addr).cast() };
                Some(u16::from_be(a.sin_port))
            }
            libc::AF_INET6 => {
                // SAFETY: the family says the storage holds a sockaddr_in6.
                let a: &libc::sockaddr_in6 = unsafe { &*(&raw const addr).cast() };
                Some(u16::from_be(a.sin6_port))
            }
            _ => None,
        }
    }

    fn set_nodelay(fd: libc::c_int) -> bool {
        let one: libc::c_int = 1;
        // SAFETY: setsockopt reads size_of::<c_int>() bytes from `one`; a socket that is not
        // TCP makes it fail.
        unsafe {
            libc::setsockopt(
                fd,
                libc::IPPROTO_TCP,
                libc::TCP_NODELAY,
                (&raw const one).cast(),
                size_of::<libc::c_int>() as libc::socklen_t,
            ) == 0
        }
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use std::net::{TcpListener, TcpStream};

    #[test]
    fn the_option_is_set_on_sockets_to_the_port_and_only_those() {
        let server = TcpListener::bind("127.0.0.1:0").unwrap();
        let other = TcpListener::bind("127.0.0.1:0").unwrap();
        let to_server = TcpStream::connect(server.local_addr().unwrap()).unwrap();
        let to_other = TcpStream::connect(other.local_addr().unwrap()).unwrap();
        assert!(!to_server.nodelay().unwrap());
        assert!(super::on_peer_port(server.local_addr().unwrap().port()) >= 1);
        assert!(to_server.nodelay().unwrap());
        assert!(!to_other.nodelay().unwrap());
    }
}
