package runtimeapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"sync"
	"time"
)

// Instance is one running execution environment: a Runtime API listener and
// the function process polling it. It serves one invocation at a time, as
// Lambda does, and starts the process again after it exits or times out.
type Instance struct {
	fn  Function
	srv *http.Server
	api string

	invokeMu sync.Mutex // one invocation at a time

	mu      sync.Mutex
	proc    *process
	pending chan *invocation // the next invocation, taken by /next
	current *invocation      // the invocation the process is working on
	closed  bool
	seq     int
}

// process is one start of the executable.
type process struct {
	cmd       *exec.Cmd
	started   time.Time
	ready     chan struct{} // closed at the first /next
	readyOnce sync.Once
	readyAt   time.Time
	exited    chan struct{} // closed when the process has exited
	exitErr   error
	served    bool // set at the first invocation, under Instance.mu

	mu      sync.Mutex
	initErr *FunctionError // reported to /runtime/init/error
}

func (p *process) markReady() {
	p.readyOnce.Do(func() {
		p.readyAt = time.Now()
		close(p.ready)
	})
}

func (p *process) setInitError(e *FunctionError) {
	p.mu.Lock()
	p.initErr = e
	p.mu.Unlock()
}

func (p *process) initError() *FunctionError {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.initErr
}

// Start listens on a loopback port and starts fn's process. It returns once
// the process has started, not once it is ready: see Ready.
func Start(fn Function) (*Instance, error) {
	fn = fn.withDefaults()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("runtime API listener for %s: %w", fn.Name, err)
	}
	in := &Instance{fn: fn, api: ln.Addr().String(), pending: make(chan *invocation)}
	in.srv = &http.Server{Handler: in.routes(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = in.srv.Serve(ln) }()
	if err := in.startProcess(); err != nil {
		_ = in.srv.Close()
		return nil, err
	}
	return in, nil
}

// Address is the host:port the Runtime API listens on (AWS_LAMBDA_RUNTIME_API).
func (in *Instance) Address() string { return in.api }

// PID is the process id of the function's current process, or 0.
func (in *Instance) PID() int {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.proc == nil || in.proc.cmd.Process == nil {
		return 0
	}
	return in.proc.cmd.Process.Pid
}

// Function returns the function the instance runs.
func (in *Instance) Function() Function { return in.fn }

func (in *Instance) startProcess() error {
	cmd := exec.Command(in.fn.Path)
	cmd.Env = in.fn.environment(in.api)
	cmd.Stdout = in.fn.Output
	cmd.Stderr = in.fn.Output
	p := &process{cmd: cmd, ready: make(chan struct{}), exited: make(chan struct{})}
	in.mu.Lock()
	in.proc = p
	in.mu.Unlock()
	p.started = time.Now()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", in.fn.Path, err)
	}
	go func() {
		p.exitErr = cmd.Wait()
		close(p.exited)
	}()
	return nil
}

// Ready waits until the process first asks for an invocation and returns how
// long that took from process start: the function's init duration.
func (in *Instance) Ready(ctx context.Context) (time.Duration, error) {
	in.mu.Lock()
	p := in.proc
	in.mu.Unlock()
	select {
	case <-p.ready:
		return p.readyAt.Sub(p.started), nil
	case <-p.exited:
		if e := p.initError(); e != nil {
			return 0, e
		}
		return 0, fmt.Errorf("%s exited during init: %v", in.fn.Name, p.exitErr)
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// Close stops the process and the listener.
func (in *Instance) Close() error {
	in.mu.Lock()
	in.closed = true
	p := in.proc
	in.mu.Unlock()
	if p != nil && p.cmd.Process != nil {
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
	return in.srv.Close()
}

// stop kills the current process, as Lambda does after a timeout.
func (in *Instance) stop(p *process) {
	if p.cmd.Process != nil {
		_ = p.cmd.Process.Kill()
	}
	<-p.exited
}

var errClosed = errors.New("runtimeapi: instance closed")
