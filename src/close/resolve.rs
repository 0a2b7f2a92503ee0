//! Looking up each host once per run.
//!
//! ureq looks the host up again for every request, even one that goes over a connection it
//! keeps alive, and with a timeout set it does so on a new thread each time. A run talks
//! to one or two hosts, so the first answer is kept and used for the rest of the run.

use std::sync::{Mutex, PoisonError};

use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// A resolver that remembers what the default one found, host by host.
#[derive(Debug, Default)]
pub struct RememberingResolver {
    lookup: DefaultResolver,
    known: Mutex<Vec<(String, ResolvedSocketAddrs)>>,
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
        let addresses = self.lookup.resolve(uri, config, timeout)?;
        self.known.lock().unwrap_or_else(PoisonError::into_inner).push((host, addresses.clone()));
        Ok(addresses)
    }
}
