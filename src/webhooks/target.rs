//! Where webhooks may go, and the one HTTP client that takes them there. HTTPS only (plain
//! HTTP to this machine outside production); in production no loopback, private, link-local
//! or other non-public address, checked on every connection by the resolver, so a name that
//! later points inward is refused too. No redirects; a timeout; at most a few KiB of answer
//! read.

use std::io::Read;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::config::Environment;

/// How much of a receiver's answer is read (and then ignored): enough to end the exchange.
pub const RESPONSE_LIMIT_BYTES: u64 = 64 * 1024;
pub const TIMEOUT: Duration = Duration::from_secs(10);
const MAX_URL_LENGTH: usize = 2000;

/// Checks a subscription URL; `Err` says what is wrong.
pub fn check_url(raw: &str, environment: Environment) -> Result<url::Url, String> {
    if raw.len() > MAX_URL_LENGTH {
        return Err(format!("must be at most {MAX_URL_LENGTH} characters"));
    }
    let url = url::Url::parse(raw).map_err(|e| format!("is not a URL ({e})"))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not carry a user name or password; Pactum signs every message instead".into());
    }
    let host = url.host().ok_or("needs a host")?;
    let loopback = match &host {
        url::Host::Domain(name) => name.eq_ignore_ascii_case("localhost"),
        url::Host::Ipv4(ip) => ip.is_loopback(),
        url::Host::Ipv6(ip) => ip.is_loopback(),
    };
    let production = environment == Environment::Production;
    match url.scheme() {
        "https" => {}
        "http" if loopback && !production => {}
        "http" => return Err("must use https (plain http only to this machine, outside production)".into()),
        _ => return Err("must be an https URL".into()),
    }
    let literal = match host {
        url::Host::Ipv4(ip) => Some(IpAddr::V4(ip)),
        url::Host::Ipv6(ip) => Some(IpAddr::V6(ip)),
        url::Host::Domain(_) => None,
    };
    if production && (loopback || literal.is_some_and(|ip| !is_public(ip))) {
        return Err("must be a public address".into());
    }
    Ok(url)
}

/// An address on the public internet: not loopback, private, link-local, shared (CGNAT),
/// unspecified, multicast, broadcast, documentation or unique-local.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_multicast()
                || v4.is_broadcast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 198 && (b == 18 || b == 19)))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let segments = v6.segments();
            let first = segments[0];
            // Addresses that carry an IPv4 address inside them (NAT64 64:ff9b::/96 and
            // 64:ff9b:1::/48, IPv4-compatible ::/96, 6to4 2002::/16, Teredo 2001::/32) could
            // reach a private network through a gateway: refused whole.
            let embeds_v4 = (first == 0x64 && segments[1] == 0xff9b)
                || segments[..6].iter().all(|s| *s == 0)
                || first == 0x2002
                || (first == 0x2001 && segments[1] == 0);
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || embeds_v4
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || (first & 0xffc0) == 0xfec0
                || first == 0x2001 && segments[1] == 0x0db8)
        }
    }
}

/// Resolves names, and in production refuses every non-public address it gets.
struct GuardedResolver {
    production: bool,
}

impl ureq::Resolver for GuardedResolver {
    fn resolve(&self, netloc: &str) -> std::io::Result<Vec<SocketAddr>> {
        let addresses: Vec<SocketAddr> = netloc.to_socket_addrs()?.collect();
        if !self.production {
            return Ok(addresses);
        }
        let public: Vec<SocketAddr> = addresses.into_iter().filter(|a| is_public(a.ip())).collect();
        if public.is_empty() {
            return Err(std::io::Error::other("the address is not public"));
        }
        Ok(public)
    }
}

/// What a receiver answered.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub status_code: Option<u16>,
    pub error: Option<String>,
    pub duration: Duration,
}

impl Outcome {
    pub fn delivered(&self) -> bool {
        self.error.is_none() && self.status_code.is_some_and(|s| (200..300).contains(&s))
    }
}

/// The outbound HTTP client for webhooks.
pub struct Sender {
    agent: ureq::Agent,
    environment: Environment,
}

impl Sender {
    pub fn new(environment: Environment) -> anyhow::Result<Self> {
        let tls = native_tls::TlsConnector::new()?;
        let agent = ureq::AgentBuilder::new()
            .timeout_connect(Duration::from_secs(5))
            .timeout(TIMEOUT)
            .redirects(0)
            .user_agent(concat!("Pactum-Webhooks/", env!("CARGO_PKG_VERSION")))
            .resolver(GuardedResolver { production: environment == Environment::Production })
            .tls_connector(Arc::new(tls))
            .build();
        Ok(Self { agent, environment })
    }

    /// Posts one signed message; never fails, the outcome says how it went.
    pub fn post(&self, url: &str, headers: &[(&str, String)], body: &str) -> Outcome {
        let started = Instant::now();
        let finish = |status_code: Option<u16>, error: Option<String>| Outcome {
            status_code,
            error,
            duration: started.elapsed(),
        };
        if let Err(reason) = check_url(url, self.environment) {
            return finish(None, Some(format!("the URL {reason}")));
        }
        let mut request = self.agent.post(url).set("Content-Type", "application/json");
        for (name, value) in headers {
            request = request.set(name, value);
        }
        let response = match request.send_string(body) {
            Ok(response) => response,
            Err(ureq::Error::Status(_, response)) => response,
            Err(ureq::Error::Transport(transport)) => {
                return finish(None, Some(describe(&transport)));
            }
        };
        let status = response.status();
        // Read a bounded amount so the connection ends cleanly; the content is not kept.
        let mut sink = Vec::new();
        let _ = response.into_reader().take(RESPONSE_LIMIT_BYTES).read_to_end(&mut sink);
        let error = match status {
            200..=299 => None,
            300..=399 => Some(format!("answered {status}: redirects are not followed")),
            _ => Some(format!("answered {status}")),
        };
        finish(Some(status), error)
    }
}

/// A transport failure in words, without internals of this machine.
fn describe(transport: &ureq::Transport) -> String {
    let kind = match transport.kind() {
        ureq::ErrorKind::Dns => "the name did not resolve to an allowed address",
        ureq::ErrorKind::ConnectionFailed => "the connection failed",
        ureq::ErrorKind::Io => "the connection broke or timed out",
        ureq::ErrorKind::InvalidUrl | ureq::ErrorKind::UnknownScheme => "the URL is not valid",
        ureq::ErrorKind::TooManyRedirects => "it redirected",
        _ => "the request failed",
    };
    kind.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_https_or_loopback_http_outside_production() {
        let dev = Environment::Development;
        let prod = Environment::Production;
        assert!(check_url("https://finance.example.nl/hooks", prod).is_ok());
        assert!(check_url("http://127.0.0.1:9000/hook", dev).is_ok());
        assert!(check_url("http://localhost/hook", dev).is_ok());
        assert!(check_url("http://127.0.0.1:9000/hook", prod).is_err());
        assert!(check_url("http://finance.example.nl/hooks", dev).is_err());
        assert!(check_url("https://10.0.0.5/hooks", prod).is_err());
        assert!(check_url("https://[fe80::1]/hooks", prod).is_err());
        assert!(check_url("https://169.254.169.254/latest", prod).is_err());
        assert!(check_url("https://user:pw@finance.example.nl/", dev).is_err());
        assert!(check_url("ftp://finance.example.nl/", dev).is_err());
        assert!(check_url("not a url", dev).is_err());
    }

    #[test]
    fn only_public_addresses_are_public() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.1.1",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fc00::1",
            "fe80::1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
            "64:ff9b:1::1",
            "::10.0.0.1",
            "2002:a00:1::1",
            "2001:0:4136:e378::1",
            "fec0::1",
        ] {
            assert!(!is_public(private.parse().unwrap_or_else(|_| panic!("{private}"))), "{private}");
        }
        for public in ["145.97.12.3", "8.8.8.8", "2a00:1450:4001::1"] {
            assert!(is_public(public.parse().unwrap_or_else(|_| panic!("{public}"))), "{public}");
        }
    }
}
