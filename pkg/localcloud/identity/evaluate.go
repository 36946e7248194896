package identity

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// Decision is the outcome of evaluating a role's identity-based policies
// for one request. Reason says why: "explicit deny in policy X statement
// Y", "no identity-based policy allows", or the policy that could not be
// evaluated.
type Decision struct {
	Allowed bool
	Reason  string
}

// Why a request was refused, for the wording of AccessDenied.
const (
	allowed = iota
	noAllow
	explicitDeny
	noBoundaryAllow
	boundaryDeny
	unknownPolicy
)

// roleView is a role's policies parsed for evaluation, cached per role
// until the role changes.
type roleView struct {
	name, arn, id string
	tags          []Tag
	policies      []*compiled
	boundary      *compiled
	unknown       string // an attached or boundary policy the evaluator has no document for
	trust         *compiled
}

// policyCache keeps roleViews by role name as asked for (sparing a
// lower-casing per request; role changes are rare, so any change clears
// it all). gen counts changes, so a view read from the store while a
// change lands is not cached stale.
type policyCache struct {
	mu    sync.Mutex
	gen   uint64
	roles map[string]*roleView
}

// forget drops the cached views; every write to a role calls it.
func (s *Service) forget(string) {
	c := &s.cache
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	clear(c.roles)
}

// roleName is the role name of a role ARN or of an assumed-role session
// ARN (arn:aws:sts::<account>:assumed-role/<role>/<session>).
func roleName(arn string) (name, session string, ok bool) {
	if rest, found := strings.CutPrefix(arn, "arn:aws:sts::"+localcloud.Account+":assumed-role/"); found {
		name, session, ok = strings.Cut(rest, "/")
		return name, session, ok && name != "" && session != ""
	}
	name, ok = RoleNameFromArn(arn)
	return name, "", ok
}

func (s *Service) view(name string) (*roleView, error) {
	c := &s.cache
	c.mu.Lock()
	v, gen := c.roles[name], c.gen
	c.mu.Unlock()
	if v != nil {
		return v, nil
	}
	rec, err := s.get(name)
	if err != nil {
		return nil, err
	}
	v = &roleView{name: rec.RoleName, arn: rec.Arn, id: rec.RoleID, tags: rec.Tags}
	if v.trust, err = compile("trust policy", rec.AssumeRolePolicyDocument); err != nil {
		return nil, err
	}
	for pname, doc := range rec.Inline {
		p, err := compile(pname, doc)
		if err != nil {
			return nil, err
		}
		v.policies = append(v.policies, p)
	}
	for _, arn := range rec.Attached {
		doc, ok := managedPolicies[arn]
		if !ok {
			v.unknown = arn
			continue
		}
		p, err := compile(arn, doc)
		if err != nil {
			return nil, err
		}
		v.policies = append(v.policies, p)
	}
	if b := rec.PermissionsBoundary; b != "" {
		if doc, ok := managedPolicies[b]; ok {
			if v.boundary, err = compile(b, doc); err != nil {
				return nil, err
			}
		} else {
			v.unknown = b
		}
	}
	c.mu.Lock()
	if c.gen == gen {
		if c.roles == nil {
			c.roles = map[string]*roleView{}
		}
		c.roles[name] = v
	}
	c.mu.Unlock()
	return v, nil
}

// context is the request context of a role's request.
func (s *Service) context(v *roleView, session string, keys map[string][]string) *evalContext {
	return &evalContext{caller: keys, role: v, session: session, now: s.now}
}

func (st *statement) applies(action, resource string, variables bool, ctx *evalContext) bool {
	if !st.actionMatches(action) || !st.resourceMatches(resource, variables, ctx) {
		return false
	}
	for i := range st.conds {
		if !st.conds[i].holds(ctx, variables, st.deny) {
			return false
		}
	}
	return true
}

// decide is IAM's policy evaluation logic for one account and no
// resource-based policy: an explicit Deny in any policy wins, else an
// Allow is needed, in the identity-based policies and (when the role has
// one) in its permissions boundary.
func decide(v *roleView, action, resource string, ctx *evalContext) (Decision, int) {
	if v.unknown != "" {
		return Decision{Reason: fmt.Sprintf("the local cloud's IAM has no document for the managed policy %s that role %s uses, so it cannot evaluate it (it knows %s)", v.unknown, v.name, knownManaged())}, unknownPolicy
	}
	ok := false
	for _, p := range v.policies {
		for i := range p.stmts {
			st := &p.stmts[i]
			if !st.applies(action, resource, p.variables, ctx) {
				continue
			}
			if st.deny {
				return Decision{Reason: "explicit deny in policy " + p.name + " statement " + st.id}, explicitDeny
			}
			ok = true
		}
	}
	if b := v.boundary; b != nil {
		inBoundary := false
		for i := range b.stmts {
			st := &b.stmts[i]
			if !st.applies(action, resource, b.variables, ctx) {
				continue
			}
			if st.deny {
				return Decision{Reason: "explicit deny in permissions boundary " + b.name + " statement " + st.id}, boundaryDeny
			}
			inBoundary = true
		}
		if !inBoundary {
			return Decision{Reason: "no permissions boundary allows"}, noBoundaryAllow
		}
	}
	if !ok {
		return Decision{Reason: "no identity-based policy allows"}, noAllow
	}
	return Decision{Allowed: true, Reason: "allowed by an identity-based policy"}, allowed
}

func knownManaged() string {
	names := []string{"AWSLambdaBasicExecutionRole", "AWSXRayDaemonWriteAccess", "AWSLambdaRole", "CloudWatchLogsFullAccess"}
	return strings.Join(names, ", ")
}

// Evaluate decides whether the role (a role ARN, or an assumed-role
// session ARN of it) may perform action on resource ("*" for an action
// with no resource), given the request's condition keys.
func (s *Service) Evaluate(_ context.Context, roleARN, action, resource string, keys map[string][]string) (Decision, error) {
	name, session, ok := roleName(roleARN)
	if !ok {
		return Decision{}, invalidInput("ARN %s is not a role of account %s.", roleARN, localcloud.Account)
	}
	v, err := s.view(name)
	if err != nil {
		return Decision{}, err
	}
	d, _ := decide(v, action, resource, s.context(v, session, keys))
	return d, nil
}

// Authorize is Evaluate worded for the caller: nil when allowed, else
// AccessDeniedException with IAM's message naming principalARN (a role
// or an assumed-role session ARN), the action and the resource.
func (s *Service) Authorize(ctx context.Context, principalARN, action, resource string, keys map[string][]string) error {
	why := noAllow
	name, session, ok := roleName(principalARN)
	if ok {
		v, err := s.view(name)
		var e *localcloud.Error
		switch {
		case errors.As(err, &e) && e.Code == "NoSuchEntity":
			// A session whose role was deleted is allowed nothing.
		case err != nil:
			return err
		default:
			var d Decision
			if d, why = decide(v, action, resource, s.context(v, session, keys)); d.Allowed {
				return nil
			}
			if why == unknownPolicy {
				return denied(principalARN, action, resource, "because "+d.Reason)
			}
		}
	}
	tail := map[int]string{
		noAllow:         "because no identity-based policy allows the " + action + " action",
		explicitDeny:    "with an explicit deny in an identity-based policy",
		noBoundaryAllow: "because no permissions boundary allows the " + action + " action",
		boundaryDeny:    "with an explicit deny in a permissions boundary",
	}[why]
	return denied(principalARN, action, resource, tail)
}

func denied(principal, action, resource, tail string) error {
	return &localcloud.Error{Code: "AccessDeniedException", Status: http.StatusForbidden,
		Message: fmt.Sprintf("User: %s is not authorized to perform: %s on resource: %s %s", principal, action, resource, tail)}
}
