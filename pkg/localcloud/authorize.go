package localcloud

import (
	"context"
	"encoding/xml"
	"errors"
	"net/http"
)

// Authorizer decides the calls made with credentials the local cloud
// issued itself: a function's or a state machine's role session. IAM is
// enforced for those alone, so a developer's own CLI, signed with any
// other key, is always allowed.
type Authorizer interface {
	// AuthorizeKey returns nil when accessKeyID is no session the local
	// cloud issued, or when that session's role allows action on resource;
	// else the error the caller gets (an *Error, AccessDeniedException).
	AuthorizeKey(ctx context.Context, accessKeyID, action, resource string) error
}

// SessionKeys is implemented by an Authorizer that can tell cheaply
// whether an access key is one of its sessions: the router then names a
// request's action and resources (which can read the store) only for
// those, not for every call a developer makes.
type SessionKeys interface {
	IsSession(ctx context.Context, accessKeyID string) bool
}

// checks reports whether a's verdict on key is needed at all.
func checks(ctx context.Context, a Authorizer, key string) bool {
	if a == nil || key == "" {
		return false
	}
	if sk, ok := a.(SessionKeys); ok {
		return sk.IsSession(ctx, key)
	}
	return true
}

// Authorized is implemented by a service that names the IAM action and
// resources each of its operations needs. For a service that does not,
// the action is "<signing name>:<operation>" on resource "*".
type Authorized interface {
	Authorization(op string, in *Request) (action string, resources []string)
}

// AccessDenied is implemented by a service whose access-denied error has
// a code of its own (SNS: AuthorizationError).
type AccessDenied interface {
	AccessDeniedCode() string
}

// HandlerAuthorization names the action and resources of a request to a
// service that decodes its own requests (S3), for RegisterHandlerAuthorized.
type HandlerAuthorization func(r *http.Request) (action string, resources []string)

type callerKey struct{}

// CallerAccessKey returns the access key id the request being served was
// signed with, or "".
func CallerAccessKey(ctx context.Context) string {
	k, _ := ctx.Value(callerKey{}).(string)
	return k
}

// WithCallerAccessKey returns ctx carrying an access key id, as the router
// sets it for the request it serves.
func WithCallerAccessKey(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, callerKey{}, key)
}

// SetAuthorizer makes s check every request against a; nil checks none.
func (s *Server) SetAuthorizer(a Authorizer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.authorizer = a
}

// RegisterHandlerAuthorized is RegisterHandler for a service whose
// requests are checked by the authorizer with the action and resources
// auth names.
func (s *Server) RegisterHandlerAuthorized(signingName string, h http.Handler, auth HandlerAuthorization) {
	s.RegisterHandler(signingName, h)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.handlerAuth[signingName] = auth
}

func accessKeyID(r *http.Request) string {
	if p := credentialScope(r); p != nil {
		return p[0]
	}
	return ""
}

// authorize checks one decoded request; nil means go on.
func (s *Server) authorize(ctx context.Context, svc Service, op string, in *Request) error {
	s.mu.RLock()
	a := s.authorizer
	s.mu.RUnlock()
	key := CallerAccessKey(ctx)
	if !checks(ctx, a, key) {
		return nil
	}
	action, resources := svc.Name()+":"+op, []string{"*"}
	if az, ok := svc.(Authorized); ok {
		action, resources = az.Authorization(op, in)
	}
	if action == "" {
		return nil
	}
	for _, res := range resources {
		if err := a.AuthorizeKey(ctx, key, action, res); err != nil {
			var e *Error
			if d, ok := svc.(AccessDenied); ok && errors.As(err, &e) {
				c := *e
				c.Code = d.AccessDeniedCode()
				return &c
			}
			return err
		}
	}
	return nil
}

// authorizeHandler checks a request to a self-decoding service; it
// writes S3's XML AccessDenied and returns false when refused.
func (s *Server) authorizeHandler(w http.ResponseWriter, r *http.Request, name, id string) bool {
	s.mu.RLock()
	a, auth := s.authorizer, s.handlerAuth[name]
	s.mu.RUnlock()
	key := accessKeyID(r)
	if auth == nil || !checks(r.Context(), a, key) {
		return true
	}
	action, resources := auth(r)
	for _, res := range resources {
		err := a.AuthorizeKey(r.Context(), key, action, res)
		if err == nil {
			continue
		}
		msg := err.Error()
		var e *Error
		if errors.As(err, &e) {
			msg = e.Message
		}
		type xmlError struct {
			XMLName   xml.Name `xml:"Error"`
			Code      string
			Message   string
			RequestID string `xml:"RequestId"`
		}
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte(xml.Header))
		_ = xml.NewEncoder(w).Encode(xmlError{Code: "AccessDenied", Message: msg, RequestID: id})
		return false
	}
	return true
}
