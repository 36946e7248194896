package identity

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

const (
	sessionsTable = "iam.sessions"

	// sessionLifetime is how long issued credentials last: Lambda's
	// execution-role credentials last up to 12 hours and the runtime asks
	// for fresh ones before then.
	sessionLifetime = 12 * time.Hour
)

// session is one issued role session as stored, by access key id.
type session struct {
	AccessKeyID, SecretAccessKey, SessionToken string
	RoleName, RoleArn, RoleID, SessionName     string
	Principal                                  string
	Expires                                    time.Time
}

func (s *session) arn() string {
	return "arn:aws:sts::" + localcloud.Account + ":assumed-role/" + s.RoleName + "/" + s.SessionName
}

// sessionCache keeps the sessions read or issued, so the check the router
// makes on every call with a session key costs no store read.
type sessionCache struct {
	mu    sync.RWMutex
	byKey map[string]*session
}

func randomString(alphabet string, n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

func cannotAssume(principal, roleARN string) error {
	return &localcloud.Error{Code: "AccessDenied", Status: http.StatusForbidden,
		Message: fmt.Sprintf("User: %s is not authorized to perform: sts:AssumeRole on resource: %s", principal, roleARN)}
}

// trusts reports whether a trust policy lets the service principal
// assume the role: an explicit Deny wins, else an Allow of sts:AssumeRole
// naming the principal (or "*") is needed.
func trusts(trust *compiled, principal string, ctx *evalContext) bool {
	ok := false
	for i := range trust.stmts {
		st := &trust.stmts[i]
		if !st.actionMatches("sts:assumerole") || st.principalMatches(principal) == st.notPrinc {
			continue
		}
		holds := true
		for j := range st.conds {
			if !st.conds[j].holds(ctx, trust.variables, st.deny) {
				holds = false
			}
		}
		if !holds {
			continue
		}
		if st.deny {
			return false
		}
		ok = true
	}
	return ok
}

func (st *statement) principalMatches(service string) bool {
	for typ, list := range st.principals {
		for _, p := range list {
			switch {
			case p == "*" && (typ == "*" || typ == "AWS"):
				return true
			case typ == "Service" && strings.EqualFold(p, service):
				return true
			}
		}
	}
	return false
}

// IssueCredentials starts a session of the role (a role ARN) for a
// service principal (lambda.amazonaws.com, states.amazonaws.com, ...) as
// that service's sts:AssumeRole would: the role must exist and its trust
// policy allow the principal, else AccessDenied. The credentials are
// stored, so they survive a restart, and last 12 hours.
func (s *Service) IssueCredentials(_ context.Context, roleARN, sessionName, servicePrincipal string) (accessKeyID, secretAccessKey, sessionToken string, expires time.Time, err error) {
	if err := checkName("roleSessionName", sessionName, 64); err != nil {
		return "", "", "", time.Time{}, err
	}
	if len(sessionName) < 2 {
		return "", "", "", time.Time{}, validationError("Value '%s' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2", sessionName)
	}
	name, ok := RoleNameFromArn(roleARN)
	if !ok {
		return "", "", "", time.Time{}, cannotAssume(servicePrincipal, roleARN)
	}
	v, err := s.view(name)
	var e *localcloud.Error
	if errors.As(err, &e) && e.Code == "NoSuchEntity" || err == nil && v.arn != roleARN {
		return "", "", "", time.Time{}, cannotAssume(servicePrincipal, roleARN)
	}
	if err != nil {
		return "", "", "", time.Time{}, err
	}
	now := s.now()
	ctx := &evalContext{caller: map[string][]string{"aws:PrincipalServiceName": {servicePrincipal}}, now: s.now}
	if !trusts(v.trust, servicePrincipal, ctx) {
		return "", "", "", time.Time{}, cannotAssume(servicePrincipal, roleARN)
	}
	sess := &session{
		AccessKeyID:     "ASIA" + randomString("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16),
		SecretAccessKey: randomString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 40),
		RoleName:        v.name, RoleArn: v.arn, RoleID: v.id, SessionName: sessionName,
		Principal: servicePrincipal,
		Expires:   now.Add(sessionLifetime),
	}
	token := make([]byte, 288)
	_, _ = rand.Read(token)
	sess.SessionToken = "IQoJb3JpZ2luX2Vj" + base64.StdEncoding.EncodeToString(token)
	var expired []string
	err = s.store.Update(func(tx *localcloud.Tx) error {
		// Drop the sessions that have expired, so the table holds only
		// the live ones however long the local cloud runs.
		err := tx.Scan(sessionsTable, "", func(key string, raw []byte) error {
			var old session
			if json.Unmarshal(raw, &old) == nil && !now.Before(old.Expires) {
				expired = append(expired, key)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range expired {
			if err := tx.Delete(sessionsTable, k); err != nil {
				return err
			}
		}
		return tx.Put(sessionsTable, sess.AccessKeyID, sess)
	})
	if err != nil {
		return "", "", "", time.Time{}, err
	}
	c := &s.sessions
	c.mu.Lock()
	if c.byKey == nil {
		c.byKey = map[string]*session{}
	}
	for _, k := range expired {
		delete(c.byKey, k)
	}
	c.byKey[sess.AccessKeyID] = sess
	c.mu.Unlock()
	return sess.AccessKeyID, sess.SecretAccessKey, sess.SessionToken, sess.Expires, nil
}

// lookup finds an issued session, expired or not.
func (s *Service) lookup(accessKeyID string) (*session, bool) {
	// Issued keys are ASIA keys; a developer's own (AKIA, or anything a
	// test signs with) is never one, and costs no store read.
	if !strings.HasPrefix(accessKeyID, "ASIA") {
		return nil, false
	}
	c := &s.sessions
	c.mu.RLock()
	sess := c.byKey[accessKeyID]
	c.mu.RUnlock()
	if sess != nil {
		return sess, true
	}
	var rec session
	var found bool
	err := s.store.View(func(tx *localcloud.Tx) error {
		var err error
		found, err = tx.Get(sessionsTable, accessKeyID, &rec)
		return err
	})
	if err != nil || !found {
		return nil, false
	}
	c.mu.Lock()
	if c.byKey == nil {
		c.byKey = map[string]*session{}
	}
	c.byKey[accessKeyID] = &rec
	c.mu.Unlock()
	return &rec, true
}

// Session names the role and the session ARN of issued credentials; ok
// is false for a key the local cloud did not issue or that has expired.
func (s *Service) Session(_ context.Context, accessKeyID string) (roleARN, sessionARN string, ok bool) {
	sess, found := s.lookup(accessKeyID)
	if !found || !s.now().Before(sess.Expires) {
		return "", "", false
	}
	return sess.RoleArn, sess.arn(), true
}

// CallerIdentity is what STS GetCallerIdentity answers for issued
// credentials: the assumed-role ARN and the user id "<role id>:<session
// name>"; ok is false for any other key.
func (s *Service) CallerIdentity(_ context.Context, accessKeyID string) (arn, userID string, ok bool) {
	sess, found := s.lookup(accessKeyID)
	if !found || !s.now().Before(sess.Expires) {
		return "", "", false
	}
	return sess.arn(), sess.RoleID + ":" + sess.SessionName, true
}

// IsSession reports whether accessKeyID is a role session the local cloud
// issued (expired ones included: AuthorizeKey refuses those), so that the
// router checks only such calls (localcloud.SessionKeys).
func (s *Service) IsSession(_ context.Context, accessKeyID string) bool {
	_, ok := s.lookup(accessKeyID)
	return ok
}

// AuthorizeKey is the router's Authorizer: nil for a key that is no
// session the local cloud issued (a developer's own credentials are never
// checked); for a session, its role's policies decide, as Authorize.
func (s *Service) AuthorizeKey(ctx context.Context, accessKeyID, action, resource string) error {
	sess, found := s.lookup(accessKeyID)
	if !found {
		return nil
	}
	if !s.now().Before(sess.Expires) {
		return &localcloud.Error{Code: "ExpiredTokenException", Status: http.StatusBadRequest,
			Message: "The security token included in the request is expired"}
	}
	if v, err := s.view(sess.RoleName); err == nil && v.id != sess.RoleID {
		// The role was deleted and made again: a new role, which the old
		// session does not act for.
		return denied(sess.arn(), action, resource, "because no identity-based policy allows the "+action+" action")
	}
	return s.Authorize(ctx, sess.arn(), action, resource, nil)
}
