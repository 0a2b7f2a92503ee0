//! Looking up each host once per run, and saying plainly when a lookup fails.
//!
//! ureq looks the host up again for every request, even one that goes over a connection it
//! keeps alive, and with a timeout set it does so on a new thread each time. A run talks
//! to one or two hosts, so the first answer is kept and used for the rest of the run.
//!
//! A failed lookup reaches ureq's caller as an I/O error or a timeout like any other, which
//! would leave the client unable to tell that nothing was sent. So every failure here is
//! turned into `HostNotFound`, or a timeout of the lookup itself.

use std::sync::{Mutex, PoisonError};

use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// A resolver that remembers what the lookup found, host by host.
#[derive(Debug)]
pub struct RememberingResolver {
    lookup: Box<dyn Resolver>,
    known: Mutex<Vec<(String, ResolvedSocketAddrs)>>,
}

impl Default for RememberingResolver {
    fn default() -> Self {
        RememberingResolver::over(Box::new(DefaultResolver::default()))
    }
}

impl RememberingResolver {
    /// Remembers what `lookup` finds.
    pub fn over(lookup: Box<dyn Resolver>) -> Self {
        RememberingResolver { lookup, known: Mutex::new(Vec::new()) }
    }
}

impl Resolver for RememberingResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let host =
            format!("{}://{}", uri.scheme_str().unwrap_or(""), uri.authority().map_or("", |a| a.as_str()));
        let known = self.known.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((_, addresses)) = known.iter().find(|(name, _)| *name == host) {
            return Ok(addresses.clone());
        }
        drop(known);

        if uri.host().is_some_and(never_resolves) {
            return Err(ureq::Error::HostNotFound);
        }
        let addresses = self.lookup.resolve(uri, config, timeout).map_err(|err| match err {
            ureq::Error::Timeout(_) => ureq::Error::Timeout(ureq::Timeout::Resolve),
            ureq::Error::BadUri(_) => err,
            other => {
                log::debug!("looking up {host} failed: {other}");
                ureq::Error::HostNotFound
            }
        })?;
        self.known.lock().unwrap_or_else(PoisonError::into_inner).push((host, addresses.clone()));
        Ok(addresses)
    }

    fn empty(&self) -> ResolvedSocketAddrs {
        self.lookup.empty()
    }
}

/// Whether a host is under `.invalid`, which RFC 6761 sets aside as never existing and asks
/// resolvers to refuse at once, without asking the network.
fn never_resolves(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    host == "invalid" || host.ends_with(".invalid")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A lookup that fails the way the system's does for an unknown name.
    #[derive(Debug)]
    struct Failing;

    impl Resolver for Failing {
        fn resolve(
            &self,
            _: &Uri,
            _: &ureq::config::Config,
            _: NextTimeout,
        ) -> Result<ResolvedSocketAddrs, ureq::Error> {
            Err(ureq::Error::Io(std::io::Error::other("failed to lookup address information")))
        }
    }

    fn resolve(resolver: &RememberingResolver, url: &str) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let uri: Uri = url.parse().unwrap();
        resolver.resolve(&uri, &ureq::config::Config::default(), NextTimeout::default())
    }

    #[test]
    fn a_failed_lookup_is_a_host_not_found() {
        let resolver = RememberingResolver::over(Box::new(Failing));
        let err = resolve(&resolver, "https://api.close.example/api/v1/").unwrap_err();
        assert!(matches!(err, ureq::Error::HostNotFound), "{err:?}");
    }

    #[test]
    fn invalid_names_are_refused_without_a_lookup() {
        let resolver = RememberingResolver::default();
        for url in ["https://api.close.invalid/api/v1/", "http://INVALID./", "http://x.Invalid:8080/"] {
            assert!(matches!(resolve(&resolver, url), Err(ureq::Error::HostNotFound)), "{url}");
        }
        assert!(!never_resolves("invalid.example.com"));
        assert!(resolve(&resolver, "http://127.0.0.1:9/").is_ok());
    }
}
