package runtimeapi

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"
)

const prefix = "/2018-06-01/runtime"

func (in *Instance) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+prefix+"/invocation/next", in.next)
	mux.HandleFunc("POST "+prefix+"/invocation/{id}/response", in.response)
	mux.HandleFunc("POST "+prefix+"/invocation/{id}/error", in.invocationError)
	mux.HandleFunc("POST "+prefix+"/init/error", in.initError)
	return mux
}

// next blocks until an invocation is pending and hands it to the process.
func (in *Instance) next(w http.ResponseWriter, r *http.Request) {
	in.mu.Lock()
	p := in.proc
	in.mu.Unlock()
	p.markReady()
	select {
	case inv := <-in.pending:
		in.mu.Lock()
		in.current = inv
		in.mu.Unlock()
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Lambda-Runtime-Aws-Request-Id", inv.requestID)
		h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(time.Now().Add(in.fn.Timeout).UnixMilli(), 10))
		h.Set("Lambda-Runtime-Invoked-Function-Arn", in.fn.ARN())
		if inv.traceHeader != "" {
			h.Set("Lambda-Runtime-Trace-Id", inv.traceHeader)
		}
		if inv.clientContext != "" {
			h.Set("Lambda-Runtime-Client-Context", inv.clientContext)
		}
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(inv.payload)
	case <-r.Context().Done():
	}
}

func (in *Instance) response(w http.ResponseWriter, r *http.Request) {
	inv, ok := in.claim(w, r.PathValue("id"))
	if !ok {
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxResponseBytes+1))
	res := &Result{RequestID: inv.requestID}
	switch {
	case err != nil:
		res.Error = &FunctionError{Type: "Runtime.InvalidResponse", Message: err.Error()}
	case len(body) > MaxResponseBytes:
		res.Error = &FunctionError{Type: "Function.ResponseSizeTooLarge", Message: "Response payload size exceeded maximum allowed payload size (6291556 bytes)."}
		writeJSON(w, http.StatusRequestEntityTooLarge, map[string]string{"errorType": "RequestEntityTooLarge", "errorMessage": res.Error.Message})
		inv.done <- res
		return
	default:
		res.Payload = body
	}
	inv.done <- res
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "OK"})
}

func (in *Instance) invocationError(w http.ResponseWriter, r *http.Request) {
	inv, ok := in.claim(w, r.PathValue("id"))
	if !ok {
		return
	}
	inv.done <- &Result{RequestID: inv.requestID, Error: readFunctionError(r)}
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "OK"})
}

func (in *Instance) initError(w http.ResponseWriter, r *http.Request) {
	in.mu.Lock()
	p := in.proc
	in.mu.Unlock()
	p.setInitError(readFunctionError(r))
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "OK"})
}

// claim matches a reply to the invocation in progress; a reply for any other
// request id is refused, as Lambda refuses it.
func (in *Instance) claim(w http.ResponseWriter, id string) (*invocation, bool) {
	in.mu.Lock()
	inv := in.current
	if inv != nil && inv.requestID == id {
		in.current = nil
	} else {
		inv = nil
	}
	in.mu.Unlock()
	if inv == nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"errorType": "InvalidRequestID", "errorMessage": "Invalid request ID"})
		return nil, false
	}
	return inv, true
}

func readFunctionError(r *http.Request) *FunctionError {
	fe := &FunctionError{}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if json.Unmarshal(body, fe) != nil || fe.Type == "" && fe.Message == "" {
		fe.Message = string(body)
	}
	if fe.Type == "" {
		fe.Type = r.Header.Get("Lambda-Runtime-Function-Error-Type")
	}
	if fe.Type == "" {
		fe.Type = "Unhandled"
	}
	return fe
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
