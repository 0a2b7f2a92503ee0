//! Answers on request: tests and benchmarks ask the sandbox to misbehave.
//!
//! A test pushes a `Fault` with a count; the next that many requests, whatever their path,
//! get the fault instead of their normal answer, or before it, or after carrying them out.
//! Faults queue up in the order they were pushed. This is how the client's handling of 429s, 5xx pages, malformed bodies
//! and stalled servers is exercised without a real outage.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::Duration;

/// A way for the sandbox to answer other than normally.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Answer with exactly this status, these headers and this raw body.
    Respond { status: u16, headers: Vec<(String, String)>, body: Vec<u8> },
    /// Wait this long, then answer normally (simulates a slow or stalled server).
    Delay(Duration),
    /// Carry out the request, then answer with this status, these headers and this body
    /// instead of the normal answer: a proxy that loses the answer of a write that was done.
    ApplyThenRespond { status: u16, headers: Vec<(String, String)>, body: Vec<u8> },
}

/// Faults waiting for requests, each with how many requests it still applies to.
#[derive(Debug, Default)]
pub struct FaultQueue {
    pending: Mutex<VecDeque<(usize, Fault)>>,
}

impl FaultQueue {
    /// Queues `fault` for the next `times` requests after those already queued.
    pub fn push(&self, times: usize, fault: Fault) {
        if times > 0 {
            self.lock().push_back((times, fault));
        }
    }

    /// The fault the request arriving now gets, if any; uses up one of its applications.
    pub fn take(&self) -> Option<Fault> {
        let mut pending = self.lock();
        let (left, fault) = pending.front_mut()?;
        let fault = fault.clone();
        *left -= 1;
        if *left == 0 {
            pending.pop_front();
        }
        Some(fault)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<(usize, Fault)>> {
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A stop signal that a delayed request can wait on, so shutting the sandbox down does not
/// have to sit out a long `Delay`.
#[derive(Debug, Default)]
pub struct StopSignal {
    stopped: Mutex<bool>,
    wake: Condvar,
}

impl StopSignal {
    /// Marks the sandbox as stopping and wakes every waiter.
    pub fn stop(&self) {
        *self.stopped.lock().unwrap_or_else(PoisonError::into_inner) = true;
        self.wake.notify_all();
    }

    /// Whether `stop` has been called.
    pub fn is_stopped(&self) -> bool {
        *self.stopped.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Sleeps for `duration` or until `stop`, whichever comes first.
    pub fn sleep(&self, duration: Duration) {
        let stopped = self.stopped.lock().unwrap_or_else(PoisonError::into_inner);
        let _unused = self
            .wake
            .wait_timeout_while(stopped, duration, |stopped| !*stopped)
            .unwrap_or_else(PoisonError::into_inner);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_apply_in_order_and_run_out() {
        let queue = FaultQueue::default();
        let slow = Fault::Delay(Duration::from_millis(5));
        let broken = Fault::Respond { status: 503, headers: vec![], body: vec![] };
        queue.push(2, slow.clone());
        queue.push(0, slow.clone());
        queue.push(1, broken.clone());
        assert_eq!(queue.take(), Some(slow.clone()));
        assert_eq!(queue.take(), Some(slow));
        assert_eq!(queue.take(), Some(broken));
        assert_eq!(queue.take(), None);
    }
}
