// Package functions is the local cloud's Lambda: the control plane
// (functions' configuration, code, resource policies, tags and reserved
// concurrency, kept in the store as Lambda keeps them and answered as
// Lambda answers, API 2015-03-31) and the data plane, Invoke, which runs
// the function's real bootstrap from its .zip on this machine through the
// Lambda Runtime API (package runtimeapi).
//
// The data plane behaves as Lambda does: a warm process is reused, a new
// one started when all are busy; the function's timeout kills the process
// (Sandbox.Timedout) and a crash is Runtime.ExitError, the next invocation
// starting fresh; reserved concurrency and the account's limit throttle
// with TooManyRequestsException; asynchronous invocations are queued in
// the store and retried twice, after 1 and then 2 minutes.
//
// One departure: this machine cannot run a thousand processes, so each
// function also has a process cap (WithMaxProcesses, default 4 per CPU).
// An invocation within the concurrency limits but above the cap is not
// throttled: it waits, first come first served and for as long as its
// context allows, for one of the function's processes to be free.
package functions
