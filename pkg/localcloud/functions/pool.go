package functions

import (
	"context"
	"net/http"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/runtimeapi"
)

// runner keeps the functions' execution environments: a pool of warm
// processes per function configuration, the concurrency counts that
// throttle, and the code extracted for them.
type runner struct {
	s *Service

	mu       sync.Mutex
	pools    map[string]*pool // by function name: the current configuration's
	inflight map[string]int   // admitted invocations by function name
	total    int              // admitted invocations in the account
	code     map[string]*codeDir
	live     map[*env]struct{} // every started environment, for close
	workDir  string
	ownDir   bool
	closed   bool
	all      sync.WaitGroup // environments being closed

	stopReaper chan struct{}
	reaperDone chan struct{}
}

// pool is the environments of one function configuration (name, code and
// settings): a new configuration gets a new pool and the old one retires.
type pool struct {
	key     string
	cfg     Configuration
	idle    []*env // most recently used last
	procs   int    // environments started or starting
	waiters []chan *env
	retired bool
}

// poolKey changes with the code and the configuration (LastModified), not
// with the resource policy or tags, which leave Lambda's processes be.
func poolKey(c Configuration) string { return c.CodeSha256 + "|" + c.LastModified }

func newRunner(s *Service) *runner {
	r := &runner{s: s, pools: map[string]*pool{}, inflight: map[string]int{}, code: map[string]*codeDir{}, live: map[*env]struct{}{},
		workDir: s.opts.workDir, stopReaper: make(chan struct{}), reaperDone: make(chan struct{})}
	go r.reap()
	return r
}

func throttled(reason string) error {
	return &ThrottleError{Reason: reason, Err: &localcloud.Error{Code: "TooManyRequestsException", Status: http.StatusTooManyRequests, Message: "Rate Exceeded."}}
}

// ThrottleError is Lambda's TooManyRequestsException with its Reason
// (ConcurrentInvocationLimitExceeded, ReservedFunctionConcurrentInvocationLimitExceeded).
type ThrottleError struct {
	Reason string
	Err    *localcloud.Error
}

func (e *ThrottleError) Error() string { return e.Err.Error() + " (" + e.Reason + ")" }

// Unwrap gives the *localcloud.Error.
func (e *ThrottleError) Unwrap() error { return e.Err }

// admit counts an invocation against the function's reserved concurrency
// and the account's limit, or refuses it as Lambda throttles; leave undoes it.
func (r *runner) admit(cfg Configuration, reserved *int) (*pool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil, &localcloud.Error{Code: "ServiceException", Status: http.StatusInternalServerError, Server: true, Message: "the local cloud's Lambda is shutting down"}
	}
	name := cfg.FunctionName
	if reserved != nil && r.inflight[name] >= *reserved {
		return nil, throttled("ReservedFunctionConcurrentInvocationLimitExceeded")
	}
	if r.total >= r.s.opts.account {
		return nil, throttled("ConcurrentInvocationLimitExceeded")
	}
	p := r.pools[name]
	if p == nil || p.key != poolKey(cfg) {
		if p != nil {
			r.retireLocked(p)
		}
		p = &pool{key: poolKey(cfg), cfg: cfg}
		r.pools[name] = p
	}
	r.inflight[name]++
	r.total++
	return p, nil
}

func (r *runner) leave(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.total--
	if r.inflight[name]--; r.inflight[name] <= 0 {
		delete(r.inflight, name)
	}
}

// acquire returns an idle environment of p, or a new one (fresh) when
// none is idle and the process cap allows; else it waits its turn.
func (r *runner) acquire(ctx context.Context, p *pool) (e *env, fresh bool, err error) {
	r.mu.Lock()
	if n := len(p.idle); n > 0 {
		e = p.idle[n-1]
		p.idle = p.idle[:n-1]
		r.mu.Unlock()
		return e, false, nil
	}
	if p.procs < r.s.opts.maxProcs {
		p.procs++
		r.mu.Unlock()
		return r.startIn(ctx, p)
	}
	w := make(chan *env, 1)
	p.waiters = append(p.waiters, w)
	r.mu.Unlock()
	select {
	case e = <-w:
	case <-ctx.Done():
		r.mu.Lock()
		i := slices.Index(p.waiters, w)
		if i >= 0 {
			p.waiters = slices.Delete(p.waiters, i, i+1)
		}
		r.mu.Unlock()
		if i < 0 { // handed over meanwhile: pass it on
			if e = <-w; e != nil {
				r.release(e, false)
			} else {
				r.dropSlot(p)
			}
		}
		return nil, false, ctx.Err()
	}
	if e == nil { // a process ended: its slot is ours
		return r.startIn(ctx, p)
	}
	return e, false, nil
}

func (r *runner) startIn(ctx context.Context, p *pool) (*env, bool, error) {
	e, err := r.start(ctx, p)
	if err != nil {
		r.dropSlot(p)
		return nil, false, err
	}
	return e, true, nil
}

// dropSlot gives up a process slot of p, handing it to the next waiter.
func (r *runner) dropSlot(p *pool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	p.procs--
	r.passSlotLocked(p)
}

func (r *runner) passSlotLocked(p *pool) {
	if len(p.waiters) > 0 && p.procs < r.s.opts.maxProcs {
		w := p.waiters[0]
		p.waiters = p.waiters[1:]
		p.procs++
		w <- nil
	}
}

// release returns e after an invocation: to the next waiter or the idle
// list, or, when broken (timed out, crashed) or retired, to be closed.
func (r *runner) release(e *env, broken bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := e.pool
	if broken || p.retired || r.closed {
		p.procs--
		r.closeLater(e)
		r.passSlotLocked(p)
		return
	}
	e.lastUsed = time.Now()
	if len(p.waiters) > 0 {
		w := p.waiters[0]
		p.waiters = p.waiters[1:]
		w <- e
		return
	}
	p.idle = append(p.idle, e)
}

func (r *runner) closeLater(e *env) {
	delete(r.live, e)
	r.all.Add(1)
	go func() {
		defer r.all.Done()
		e.close()
	}()
}

// retire stops a function's warm processes: after its code or
// configuration changed, or it was deleted. In-flight invocations finish;
// their processes close when released.
func (r *runner) retire(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if p := r.pools[name]; p != nil {
		r.retireLocked(p)
		delete(r.pools, name)
	}
}

func (r *runner) retireLocked(p *pool) {
	p.retired = true
	for _, e := range p.idle {
		p.procs--
		r.closeLater(e)
	}
	p.idle = nil
}

// reap closes processes idle longer than the idle timeout.
func (r *runner) reap() {
	defer close(r.reaperDone)
	every := min(max(r.s.opts.idleTimeout/4, 10*time.Millisecond), 30*time.Second)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-r.stopReaper:
			return
		case now := <-t.C:
			r.mu.Lock()
			for _, p := range r.pools {
				keep := p.idle[:0]
				for _, e := range p.idle {
					if now.Sub(e.lastUsed) > r.s.opts.idleTimeout {
						p.procs--
						r.closeLater(e)
						continue
					}
					keep = append(keep, e)
				}
				p.idle = keep
			}
			r.mu.Unlock()
		}
	}
}

// warm counts a function's idle processes (for tests and the assembler's
// status page).
func (r *runner) warm(name string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if p := r.pools[name]; p != nil {
		return len(p.idle)
	}
	return 0
}

func (r *runner) close() error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.closed = true
	for _, p := range r.pools {
		r.retireLocked(p)
	}
	r.pools = map[string]*pool{}
	for e := range r.live { // busy ones too: their invocations fail
		r.closeLater(e)
	}
	r.mu.Unlock()
	close(r.stopReaper)
	<-r.reaperDone
	r.all.Wait()
	if r.ownDir && r.workDir != "" {
		return os.RemoveAll(r.workDir)
	}
	return nil
}

// env is one execution environment: a runtimeapi.Instance, the file its
// process writes its output to, and its log stream.
type env struct {
	pool     *pool
	inst     *runtimeapi.Instance
	stream   string
	out      *os.File
	off      int64 // how much of out has been read
	partial  []byte
	lastUsed time.Time
	once     sync.Once
}

func (e *env) close() { e.once.Do(e.doClose) }

func (e *env) doClose() {
	if e.inst != nil {
		_ = e.inst.Close()
	}
	if e.out != nil {
		_ = e.out.Close()
		_ = os.Remove(e.out.Name())
	}
}

// Concurrent is how many invocations of a function are running or waiting
// for a process: what its reserved concurrency bounds.
func (s *Service) Concurrent(function string) int {
	s.run.mu.Lock()
	defer s.run.mu.Unlock()
	return s.run.inflight[function]
}

// Warm is how many idle processes a function has, ready for an invocation.
func (s *Service) Warm(function string) int { return s.run.warm(function) }
