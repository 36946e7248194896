package main

import (
	"fmt"
	"time"
)

// PublishOutcomeUnknown reports a post that Medium may or may not have
// published: the request was sent and no answer says what became of it (a
// timeout, a reset connection, a 5xx), or an earlier invocation ended that
// way. Medium's API can neither look a post up nor delete one, so posting
// again could publish it twice: the function stops until someone has looked.
// It is not retryable.
type PublishOutcomeUnknown struct {
	PostID string
	Ledger string // s3://bucket/key of the post's ledger record
	// Reason says what happened, when this invocation saw it happen.
	Reason string
	// Since is when the post was claimed for publishing.
	Since time.Time
}

func (e *PublishOutcomeUnknown) Error() string {
	what := "an earlier attempt to publish it"
	if !e.Since.IsZero() {
		what += " (started " + e.Since.UTC().Format(time.RFC3339) + ")"
	}
	what += " ended without knowing whether Medium created it"
	if e.Reason != "" {
		what = "the request to Medium was sent but no answer says whether the post was created: " + e.Reason
	}
	return fmt.Sprintf("Medium may or may not have published post %s: %s. "+
		"Medium's API cannot look a post up, so this function will not post it again on its own. "+
		"Look for it among your stories on Medium (https://medium.com/me/stories), then either "+
		"delete the ledger record to publish it again (aws s3 rm %s), "+
		"or, if it is there, put its Medium URL in the record so that later runs report it as published "+
		`(echo '{"state":"published","url":"https://medium.com/..."}' | aws s3 cp - %s).`,
		e.PostID, what, e.Ledger, e.Ledger)
}

// PublishInProgress reports a post another invocation has claimed and may
// still be publishing (a webhook delivered twice runs two executions). It is
// retryable: once the other invocation has ended, the ledger says what it
// did.
type PublishInProgress struct {
	PostID string
	Ledger string
	// Until is when the other invocation's time runs out.
	Until time.Time
}

func (e *PublishInProgress) Error() string {
	return fmt.Sprintf("another invocation is publishing post %s on Medium (claimed in %s until %s); retry after that",
		e.PostID, e.Ledger, e.Until.UTC().Format(time.RFC3339))
}

// LedgerUnavailable reports the ledger bucket not answering, or answering
// with an error S3 asks to retry (5xx, SlowDown, a conflicting write), while
// nothing had been sent to Medium. It is retryable.
type LedgerUnavailable struct {
	Ledger string
	Op     string // what the function was doing, such as "read"
	Err    error
}

func (e *LedgerUnavailable) Error() string {
	return fmt.Sprintf("the Medium ledger %s is unavailable (%s): %v; nothing was sent to Medium", e.Ledger, e.Op, e.Err)
}

func (e *LedgerUnavailable) Unwrap() error { return e.Err }

// LedgerFailed reports a ledger that cannot be used as it is: access denied,
// no such bucket, a record this function cannot read, or a claim it could not
// release. Retrying cannot help; the message says what to fix.
type LedgerFailed struct {
	Ledger string
	Op     string
	Reason string
	Err    error
	// Fix, when set, says what to do about it.
	Fix string
}

func (e *LedgerFailed) Error() string {
	msg := fmt.Sprintf("the Medium ledger %s cannot be used (%s): %s", e.Ledger, e.Op, e.Reason)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	if e.Fix != "" {
		msg += "; " + e.Fix
	}
	return msg
}

func (e *LedgerFailed) Unwrap() error { return e.Err }
