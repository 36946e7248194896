package states

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha512"
	"encoding/base64"
	"sync"
	"time"
)

// The .waitForTaskToken integration pattern: a Task whose Resource ends in
// .waitForTaskToken gets a fresh task token ($$.Task.Token, and
// TaskRequest.TaskToken); its task returning only means the request was
// accepted (a TaskSubmitted event), and the state then waits until someone
// completes the token with SendTaskSuccess or SendTaskFailure, its
// HeartbeatSeconds pass without a SendTaskHeartbeat (States.HeartbeatTimeout)
// or its TimeoutSeconds pass (States.Timeout).
// https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html#connect-wait-token

// TokenBroker routes task tokens to the executions waiting on them. It is
// what a caller that has nothing but a token (the local cloud's
// SendTaskSuccess handler) completes it through: give every Machine of a
// service the same broker with WithTokenBroker, and that handler calls
// SendTaskSuccess, SendTaskFailure or SendTaskHeartbeat on it. A Machine
// without WithTokenBroker has a broker of its own (Machine.Tokens).
//
// The broker remembers every token it issued, so that a late call gets the
// error AWS gives (TaskDoesNotExist, TaskTimedOut) rather than InvalidToken.
// It is safe for concurrent use.
//
// A token is derived from the broker's key, the execution and the task
// attempt (its StateEntered event and retry count), so that an execution
// resumed from its history waits on the very token its task first got.
type TokenBroker struct {
	mu     sync.Mutex
	tokens map[string]*callback
	key    []byte
}

// NewTokenBroker returns a broker with no tokens and a random key (as the
// zero TokenBroker is).
func NewTokenBroker() *TokenBroker { return &TokenBroker{tokens: map[string]*callback{}} }

// NewTokenBrokerKey returns a broker whose tokens are derived from key: a
// service that keeps its key across restarts gives a resumed task the
// token its caller already holds.
func NewTokenBrokerKey(key []byte) *TokenBroker {
	return &TokenBroker{tokens: map[string]*callback{}, key: append([]byte(nil), key...)}
}

// WithTokenBroker sets the broker a machine's callback tasks register their
// tokens with; machines sharing a broker can be completed through it.
func WithTokenBroker(b *TokenBroker) Option { return func(c *config) { c.broker = b } }

// Tokens returns the broker of m's task tokens.
func (m *Machine) Tokens() *TokenBroker { return m.cfg.broker }

// TokenError is the error SendTaskSuccess, SendTaskFailure and
// SendTaskHeartbeat return; Code is the exception AWS's API returns
// (InvalidToken, TaskDoesNotExist, TaskTimedOut, InvalidOutput), for the API
// layer to map. errors.Is matches it against ErrInvalidToken and the others
// by Code.
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskSuccess.html
type TokenError struct {
	Code, Message string
}

func (e *TokenError) Error() string {
	if e.Message == "" {
		return "states: " + e.Code
	}
	return "states: " + e.Code + ": " + e.Message
}

// Is reports whether target is a TokenError with the same Code.
func (e *TokenError) Is(target error) bool {
	t, ok := target.(*TokenError)
	return ok && t.Code == e.Code
}

// The errors of the token calls, for errors.Is.
var (
	// ErrInvalidToken: the token was never issued (or is not a token).
	ErrInvalidToken = &TokenError{Code: "InvalidToken"}
	// ErrTaskDoesNotExist: the token's task is over: completed already, or
	// its execution ended.
	ErrTaskDoesNotExist = &TokenError{Code: "TaskDoesNotExist"}
	// ErrTaskTimedOut: the token's task timed out (TimeoutSeconds or
	// HeartbeatSeconds, or the machine's TimeoutSeconds).
	ErrTaskTimedOut = &TokenError{Code: "TaskTimedOut"}
	// ErrInvalidOutput: SendTaskSuccess's output is not JSON.
	ErrInvalidOutput = &TokenError{Code: "InvalidOutput"}
)

// callback states.
const (
	cbWaiting   = iota // the task waits for its token
	cbCompleted        // an outcome arrived (the state may not have taken it yet)
	cbClosed           // the state is over for another reason: aborted
	cbTimedOut         // the state timed out waiting
)

// callback is one token's task.
type callback struct {
	token  string
	clock  Clock
	state  int
	done   chan struct{} // closed when an outcome arrives
	output any           // SendTaskSuccess's output
	failed *Error        // SendTaskFailure's error
	// beats counts heartbeats, lastBeat is the newest one's time.
	beats    int
	lastBeat time.Time
}

// issue registers a new token for a callback task that starts now.
// seed names the task attempt; the token is its HMAC under the broker's key.
func (b *TokenBroker) issue(clock Clock, seed string) (string, *callback) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.key == nil {
		b.key = make([]byte, 32)
		_, _ = rand.Read(b.key)
	}
	mac := hmac.New(sha512.New384, b.key)
	mac.Write([]byte(seed))
	token := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	cb := &callback{token: token, clock: clock, done: make(chan struct{}), lastBeat: clock.Now()}
	if b.tokens == nil {
		b.tokens = map[string]*callback{}
	}
	b.tokens[token] = cb
	return token, cb
}

// lookup returns the waiting callback of token, or the error AWS gives for
// the token; b.mu is held.
func (b *TokenBroker) lookup(token string) (*callback, error) {
	cb, ok := b.tokens[token]
	if !ok {
		return nil, &TokenError{Code: ErrInvalidToken.Code, Message: "Invalid Token: 'Invalid token'"}
	}
	switch cb.state {
	case cbWaiting:
		return cb, nil
	case cbTimedOut:
		return nil, &TokenError{Code: ErrTaskTimedOut.Code, Message: "Task Timed Out"}
	}
	return nil, &TokenError{Code: ErrTaskDoesNotExist.Code, Message: "Task does not exist anymore"}
}

// SendTaskSuccess completes the token's task with output, a JSON document:
// the task's result.
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskSuccess.html
func (b *TokenBroker) SendTaskSuccess(token string, output []byte) error {
	v, err := decodeJSON(output)
	if err != nil {
		return &TokenError{Code: ErrInvalidOutput.Code, Message: "Invalid output: " + err.Error()}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	cb, err := b.lookup(token)
	if err != nil {
		return err
	}
	cb.output, cb.state = v, cbCompleted
	close(cb.done)
	return nil
}

// SendTaskFailure fails the token's task with errName (the name Retry and
// Catch match) and cause.
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskFailure.html
func (b *TokenBroker) SendTaskFailure(token, errName, cause string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	cb, err := b.lookup(token)
	if err != nil {
		return err
	}
	cb.failed, cb.state = &Error{Name: errName, Cause: cause}, cbCompleted
	close(cb.done)
	return nil
}

// SendTaskHeartbeat tells the token's task that its work goes on: its
// HeartbeatSeconds count again from now (the execution's clock).
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskHeartbeat.html
func (b *TokenBroker) SendTaskHeartbeat(token string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	cb, err := b.lookup(token)
	if err != nil {
		return err
	}
	cb.beats++
	cb.lastBeat = cb.clock.Now()
	return nil
}

type brokerKey struct{}

// BrokerFrom returns the TokenBroker of the execution a task runs in, or
// nil: a fake callback task can complete its own TaskRequest.TaskToken
// through it (before or after it returns).
func BrokerFrom(ctx context.Context) *TokenBroker {
	b, _ := ctx.Value(brokerKey{}).(*TokenBroker)
	return b
}

// waitLimits are the times a callback wait ends at; zero when unset.
type waitLimits struct {
	timeoutAt  time.Time     // the task's TimeoutSeconds
	heartbeat  time.Duration // the task's HeartbeatSeconds
	deadlineAt time.Time     // the machine's TimeoutSeconds
}

// Why a callback wait ended without an outcome.
var (
	errCallbackTimeout   = &Error{Name: errTimeout}
	errCallbackHeartbeat = &Error{Name: errHeartbeatTimeout}
)

// wait blocks until cb's outcome arrives (the task's result, or the error
// SendTaskFailure gave), a limit passes (errCallbackTimeout,
// errCallbackHeartbeat, errExecutionTimedOut) or ctx ends. An outcome that
// arrived before a limit was noticed wins. Once wait returns, the token
// takes no more calls.
func (b *TokenBroker) wait(ctx context.Context, cb *callback, lim waitLimits) (any, error) {
	var timeoutC, hbC, deadlineC <-chan struct{}
	if !lim.timeoutAt.IsZero() {
		c, stop := alarmAt(cb.clock, lim.timeoutAt)
		defer stop()
		timeoutC = c
	}
	if !lim.deadlineAt.IsZero() {
		c, stop := alarmAt(cb.clock, lim.deadlineAt)
		defer stop()
		deadlineC = c
	}
	var stopHB func()
	armed := 0
	arm := func() {
		b.mu.Lock()
		at, beats := cb.lastBeat.Add(lim.heartbeat), cb.beats
		b.mu.Unlock()
		if stopHB != nil {
			stopHB()
		}
		hbC, stopHB = alarmAt(cb.clock, at)
		armed = beats
	}
	if lim.heartbeat > 0 {
		arm()
		defer func() { stopHB() }()
	}
	// end closes the wait as why says unless an outcome came first.
	end := func(state int, why error) (any, error) {
		b.mu.Lock()
		defer b.mu.Unlock()
		if cb.state == cbCompleted {
			return cb.outcome()
		}
		cb.state = state
		return nil, why
	}
	for {
		select {
		case <-cb.done:
			b.mu.Lock()
			v, err := cb.outcome()
			b.mu.Unlock()
			return v, err
		case <-ctx.Done():
			return end(cbClosed, ctx.Err())
		case <-timeoutC:
			return end(cbTimedOut, errCallbackTimeout)
		case <-deadlineC:
			return end(cbTimedOut, errExecutionTimedOut)
		case <-hbC:
			b.mu.Lock()
			beat := cb.beats != armed
			b.mu.Unlock()
			if beat {
				arm()
				continue
			}
			return end(cbTimedOut, errCallbackHeartbeat)
		}
	}
}

// outcome is what the completed cb's task gives, taken once: the broker
// keeps only the token's state after it. The broker's mu is held.
func (cb *callback) outcome() (any, error) {
	out, failed := cb.output, cb.failed
	cb.output, cb.failed = nil, nil
	if failed != nil {
		return nil, failed
	}
	return out, nil
}

// close ends a callback whose task never got to wait (its request failed
// or timed out): later calls get the error AWS gives for a closed task.
func (b *TokenBroker) close(cb *callback, timedOut bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if cb.state == cbWaiting {
		cb.state = cbClosed
		if timedOut {
			cb.state = cbTimedOut
		}
	}
}
