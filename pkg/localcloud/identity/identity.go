// Package identity is the local cloud's IAM: roles with their trust
// policies, inline policies, attached managed policies and tags, kept in
// the store, with the names, ids, ARNs, validation and errors IAM gives.
// IAM is global: its ARNs carry no region.
//
// Managed policies are not emulated as resources: AttachRolePolicy takes
// any well-formed policy ARN of the AWS-managed namespace
// (arn:aws:iam::aws:policy/...) or of the local account and records it on
// the role; a policy ARN of another account is refused as IAM refuses a
// policy it cannot find.
package identity

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

const (
	rolesTable = "iam.roles"

	defaultMaxSession = 3600
	maxTags           = 50
)

// Tag is an IAM tag.
type Tag struct {
	Key, Value string
}

// Role is an IAM role as GetRole gives it. AssumeRolePolicyDocument is
// the trust policy as JSON (the API URL-encodes it, as IAM does).
type Role struct {
	RoleName                 string
	RoleID                   string
	Path                     string
	Arn                      string
	CreateDate               time.Time
	AssumeRolePolicyDocument string
	Description              string
	MaxSessionDuration       int
	PermissionsBoundary      string
	Tags                     []Tag
}

// AttachedPolicy is a managed policy attached to a role.
type AttachedPolicy struct {
	PolicyName, PolicyArn string
}

// record is a role as stored: the role plus its inline and attached
// policies, in one record so every change to a role is one write.
type record struct {
	Role
	Inline   map[string]string `json:"Inline,omitempty"`
	Attached []string          `json:"Attached,omitempty"`
}

// Service is IAM's behaviour over the store.
type Service struct {
	store    *localcloud.Store
	now      func() time.Time
	cache    policyCache
	sessions sessionCache
}

// New returns IAM over store.
func New(store *localcloud.Store) *Service {
	return &Service{store: store, now: func() time.Time { return time.Now().UTC().Truncate(time.Second) }}
}

// CreateRoleInput is CreateRole's input.
type CreateRoleInput struct {
	RoleName                 string
	Path                     string
	AssumeRolePolicyDocument string
	Description              string
	MaxSessionDuration       int
	PermissionsBoundary      string
	Tags                     []Tag
}

func roleKey(name string) string { return strings.ToLower(name) }

func noSuchRole(name string) error {
	return &localcloud.Error{Code: "NoSuchEntity", Status: http.StatusNotFound,
		Message: fmt.Sprintf("The role with name %s cannot be found.", name)}
}

func validationError(format string, args ...any) error {
	return &localcloud.Error{Code: "ValidationError", Status: http.StatusBadRequest,
		Message: "1 validation error detected: " + fmt.Sprintf(format, args...)}
}

func invalidInput(format string, args ...any) error {
	return &localcloud.Error{Code: "InvalidInput", Status: http.StatusBadRequest, Message: fmt.Sprintf(format, args...)}
}

var (
	namePattern       = regexp.MustCompile(`^[\w+=,.@-]+$`)
	pathPattern       = regexp.MustCompile(`^(/|/[\x21-\x7E]+/)$`)
	policyArnPattern  = regexp.MustCompile(`^arn:aws:iam::(aws|\d{12}):policy((?:/[\x21-\x7E]+)*/)([\w+=,.@-]+)$`)
	pathPrefixPattern = regexp.MustCompile(`^/[\x21-\x7F]*$`)
)

func required(field, v string) error {
	if v == "" {
		return validationError("Value null at '%s' failed to satisfy constraint: Member must not be null", field)
	}
	return nil
}

func checkName(field, name string, max int) error {
	if err := required(field, name); err != nil {
		return err
	}
	if len(name) > max {
		return validationError("Value '%s' at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", name, field, max)
	}
	if !namePattern.MatchString(name) {
		return validationError(`Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`, name, field)
	}
	return nil
}

func checkRoleName(name string) error { return checkName("roleName", name, 64) }

func checkMaxSession(d int) error {
	if d < 3600 {
		return validationError("Value '%d' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600", d)
	}
	if d > 43200 {
		return validationError("Value '%d' at 'maxSessionDuration' failed to satisfy constraint: Member must have value less than or equal to 43200", d)
	}
	return nil
}

func checkDescription(d string) error {
	if len(d) > 1000 {
		return validationError("Value '%s' at 'description' failed to satisfy constraint: Member must have length less than or equal to 1000", d)
	}
	return nil
}

func checkTags(tags []Tag) error {
	seen := map[string]bool{}
	for _, t := range tags {
		if t.Key == "" || len(t.Key) > 128 {
			return validationError("Value '%s' at 'tags.member.key' failed to satisfy constraint: Member must have length between 1 and 128", t.Key)
		}
		if len(t.Value) > 256 {
			return validationError("Value '%s' at 'tags.member.value' failed to satisfy constraint: Member must have length less than or equal to 256", t.Value)
		}
		k := strings.ToLower(t.Key)
		if seen[k] {
			return invalidInput("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
		}
		seen[k] = true
	}
	if len(tags) > maxTags {
		return &localcloud.Error{Code: "LimitExceeded", Status: http.StatusConflict,
			Message: fmt.Sprintf("The number of tags has reached the maximum limit of %d.", maxTags)}
	}
	return nil
}

func checkPolicyArn(arn string) error {
	if err := required("policyArn", arn); err != nil {
		return err
	}
	m := policyArnPattern.FindStringSubmatch(arn)
	if m == nil {
		return invalidInput("ARN %s is not valid.", arn)
	}
	if m[1] != "aws" && m[1] != localcloud.Account {
		return &localcloud.Error{Code: "NoSuchEntity", Status: http.StatusNotFound,
			Message: fmt.Sprintf("Policy %s does not exist or is not attachable.", arn)}
	}
	return nil
}

const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// uniqueID is an IAM unique id: the prefix ("AROA" for a role) and 17
// upper-case letters and digits.
func uniqueID(prefix string) string {
	b := make([]byte, 17)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = idAlphabet[int(b[i])%len(idAlphabet)]
	}
	return prefix + string(b)
}

// RoleArn is the ARN of the role name under path.
func RoleArn(path, name string) string {
	return "arn:aws:iam::" + localcloud.Account + ":role" + path + name
}

// CreateRole creates a role.
func (s *Service) CreateRole(_ context.Context, in CreateRoleInput) (Role, error) {
	if err := checkRoleName(in.RoleName); err != nil {
		return Role{}, err
	}
	if err := required("assumeRolePolicyDocument", in.AssumeRolePolicyDocument); err != nil {
		return Role{}, err
	}
	if in.Path == "" {
		in.Path = "/"
	}
	if len(in.Path) > 512 || !pathPattern.MatchString(in.Path) {
		return Role{}, validationError(`Value '%s' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: (\u002F)|(\u002F[\u0021-\u007E]+\u002F)`, in.Path)
	}
	if in.MaxSessionDuration == 0 {
		in.MaxSessionDuration = defaultMaxSession
	}
	if err := checkMaxSession(in.MaxSessionDuration); err != nil {
		return Role{}, err
	}
	if err := checkDescription(in.Description); err != nil {
		return Role{}, err
	}
	if err := checkTags(in.Tags); err != nil {
		return Role{}, err
	}
	if in.PermissionsBoundary != "" {
		if err := checkPolicyArn(in.PermissionsBoundary); err != nil {
			return Role{}, err
		}
	}
	if err := ValidatePolicy(in.AssumeRolePolicyDocument, true); err != nil {
		return Role{}, err
	}
	rec := record{Role: Role{
		RoleName:                 in.RoleName,
		RoleID:                   uniqueID("AROA"),
		Path:                     in.Path,
		Arn:                      RoleArn(in.Path, in.RoleName),
		CreateDate:               s.now(),
		AssumeRolePolicyDocument: in.AssumeRolePolicyDocument,
		Description:              in.Description,
		MaxSessionDuration:       in.MaxSessionDuration,
		PermissionsBoundary:      in.PermissionsBoundary,
		Tags:                     append([]Tag(nil), in.Tags...),
	}}
	err := s.store.Update(func(tx *localcloud.Tx) error {
		var old record
		found, err := tx.Get(rolesTable, roleKey(in.RoleName), &old)
		if err != nil {
			return err
		}
		if found {
			return &localcloud.Error{Code: "EntityAlreadyExists", Status: http.StatusConflict,
				Message: fmt.Sprintf("Role with name %s already exists.", in.RoleName)}
		}
		return tx.Put(rolesTable, roleKey(in.RoleName), rec)
	})
	s.forget(in.RoleName)
	if err != nil {
		return Role{}, err
	}
	return rec.Role, nil
}

func (s *Service) get(name string) (record, error) {
	var rec record
	if err := checkRoleName(name); err != nil {
		return rec, err
	}
	err := s.store.View(func(tx *localcloud.Tx) error {
		found, err := tx.Get(rolesTable, roleKey(name), &rec)
		if err == nil && !found {
			err = noSuchRole(name)
		}
		return err
	})
	return rec, err
}

// update runs fn on the named role's record in one transaction and
// stores what fn leaves.
func (s *Service) update(name string, fn func(*record) error) (record, error) {
	var rec record
	if err := checkRoleName(name); err != nil {
		return rec, err
	}
	err := s.store.Update(func(tx *localcloud.Tx) error {
		found, err := tx.Get(rolesTable, roleKey(name), &rec)
		if err != nil {
			return err
		}
		if !found {
			return noSuchRole(name)
		}
		if err := fn(&rec); err != nil {
			return err
		}
		return tx.Put(rolesTable, roleKey(name), rec)
	})
	s.forget(name)
	return rec, err
}

// GetRole returns the named role (names are case-insensitive, as IAM's).
func (s *Service) GetRole(_ context.Context, name string) (Role, error) {
	rec, err := s.get(name)
	return rec.Role, err
}

// ListRoles lists roles whose path starts with pathPrefix, by name, a
// page of at most maxItems (default 100) from marker; next is the marker
// of the next page, empty on the last.
func (s *Service) ListRoles(_ context.Context, pathPrefix, marker string, maxItems int) (roles []Role, next string, err error) {
	if pathPrefix == "" {
		pathPrefix = "/"
	}
	if !pathPrefixPattern.MatchString(pathPrefix) {
		return nil, "", validationError(`Value '%s' at 'pathPrefix' failed to satisfy constraint: Member must satisfy regular expression pattern: \u002F[\u0021-\u007F]*`, pathPrefix)
	}
	var all []Role
	err = s.store.View(func(tx *localcloud.Tx) error {
		return tx.Scan(rolesTable, "", func(_ string, raw []byte) error {
			var rec record
			if err := json.Unmarshal(raw, &rec); err != nil {
				return err
			}
			if strings.HasPrefix(rec.Path, pathPrefix) {
				all = append(all, rec.Role)
			}
			return nil
		})
	})
	if err != nil {
		return nil, "", err
	}
	return paginate(all, func(r Role) string { return roleKey(r.RoleName) }, marker, maxItems)
}

// paginate pages items (in key order) from marker, an opaque encoding of
// the first key of the page.
func paginate[T any](items []T, key func(T) string, marker string, maxItems int) ([]T, string, error) {
	if maxItems == 0 {
		maxItems = 100
	}
	if maxItems < 1 || maxItems > 1000 {
		return nil, "", validationError("Value '%d' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000", maxItems)
	}
	start := 0
	if marker != "" {
		b, err := base64.RawURLEncoding.DecodeString(marker)
		if err != nil {
			return nil, "", validationError("Value '%s' at 'marker' failed to satisfy constraint: Member must be a marker this operation returned", marker)
		}
		from := string(b)
		start = sort.Search(len(items), func(i int) bool { return key(items[i]) >= from })
	}
	end := min(start+maxItems, len(items))
	next := ""
	if end < len(items) {
		next = base64.RawURLEncoding.EncodeToString([]byte(key(items[end])))
	}
	return items[start:end], next, nil
}

// DeleteRole deletes a role that has no inline or attached policies left.
func (s *Service) DeleteRole(_ context.Context, name string) error {
	if err := checkRoleName(name); err != nil {
		return err
	}
	defer s.forget(name)
	return s.store.Update(func(tx *localcloud.Tx) error {
		var rec record
		found, err := tx.Get(rolesTable, roleKey(name), &rec)
		if err != nil {
			return err
		}
		if !found {
			return noSuchRole(name)
		}
		if len(rec.Inline) > 0 {
			return &localcloud.Error{Code: "DeleteConflict", Status: http.StatusConflict, Message: "Cannot delete entity, must delete policies first."}
		}
		if len(rec.Attached) > 0 {
			return &localcloud.Error{Code: "DeleteConflict", Status: http.StatusConflict, Message: "Cannot delete entity, must detach all policies first."}
		}
		return tx.Delete(rolesTable, roleKey(name))
	})
}

// UpdateRole changes the description and/or maximum session duration
// (nil leaves one as it is).
func (s *Service) UpdateRole(_ context.Context, name string, description *string, maxSessionDuration *int) error {
	if description != nil {
		if err := checkDescription(*description); err != nil {
			return err
		}
	}
	if maxSessionDuration != nil {
		if err := checkMaxSession(*maxSessionDuration); err != nil {
			return err
		}
	}
	_, err := s.update(name, func(r *record) error {
		if description != nil {
			r.Description = *description
		}
		if maxSessionDuration != nil {
			r.MaxSessionDuration = *maxSessionDuration
		}
		return nil
	})
	return err
}

// UpdateRoleDescription sets a role's description and returns the role.
func (s *Service) UpdateRoleDescription(_ context.Context, name, description string) (Role, error) {
	if err := checkDescription(description); err != nil {
		return Role{}, err
	}
	rec, err := s.update(name, func(r *record) error { r.Description = description; return nil })
	return rec.Role, err
}

// UpdateAssumeRolePolicy replaces a role's trust policy.
func (s *Service) UpdateAssumeRolePolicy(_ context.Context, name, document string) error {
	if err := required("policyDocument", document); err != nil {
		return err
	}
	if err := ValidatePolicy(document, true); err != nil {
		return err
	}
	_, err := s.update(name, func(r *record) error { r.AssumeRolePolicyDocument = document; return nil })
	return err
}

// PutRolePermissionsBoundary sets a role's permissions boundary (a managed
// policy ARN).
func (s *Service) PutRolePermissionsBoundary(_ context.Context, name, policyArn string) error {
	if err := checkPolicyArn(policyArn); err != nil {
		return err
	}
	_, err := s.update(name, func(r *record) error { r.PermissionsBoundary = policyArn; return nil })
	return err
}

// DeleteRolePermissionsBoundary removes a role's permissions boundary.
func (s *Service) DeleteRolePermissionsBoundary(_ context.Context, name string) error {
	_, err := s.update(name, func(r *record) error {
		if r.PermissionsBoundary == "" {
			return &localcloud.Error{Code: "NoSuchEntity", Status: http.StatusNotFound,
				Message: fmt.Sprintf("The role with name %s does not have a permissions boundary.", r.RoleName)}
		}
		r.PermissionsBoundary = ""
		return nil
	})
	return err
}

// PutRolePolicy adds or replaces an inline policy of a role.
func (s *Service) PutRolePolicy(_ context.Context, roleName, policyName, document string) error {
	if err := checkName("policyName", policyName, 128); err != nil {
		return err
	}
	if err := required("policyDocument", document); err != nil {
		return err
	}
	if err := ValidatePolicy(document, false); err != nil {
		return err
	}
	_, err := s.update(roleName, func(r *record) error {
		if r.Inline == nil {
			r.Inline = map[string]string{}
		}
		r.Inline[policyName] = document
		return nil
	})
	return err
}

func noSuchRolePolicy(name string) error {
	return &localcloud.Error{Code: "NoSuchEntity", Status: http.StatusNotFound,
		Message: fmt.Sprintf("The role policy with name %s cannot be found.", name)}
}

// GetRolePolicy returns an inline policy's document (JSON).
func (s *Service) GetRolePolicy(_ context.Context, roleName, policyName string) (string, error) {
	if err := checkName("policyName", policyName, 128); err != nil {
		return "", err
	}
	rec, err := s.get(roleName)
	if err != nil {
		return "", err
	}
	doc, ok := rec.Inline[policyName]
	if !ok {
		return "", noSuchRolePolicy(policyName)
	}
	return doc, nil
}

// ListRolePolicies lists a role's inline policy names, sorted.
func (s *Service) ListRolePolicies(_ context.Context, roleName, marker string, maxItems int) ([]string, string, error) {
	rec, err := s.get(roleName)
	if err != nil {
		return nil, "", err
	}
	names := make([]string, 0, len(rec.Inline))
	for n := range rec.Inline {
		names = append(names, n)
	}
	sort.Strings(names)
	return paginate(names, func(n string) string { return n }, marker, maxItems)
}

// DeleteRolePolicy deletes an inline policy of a role.
func (s *Service) DeleteRolePolicy(_ context.Context, roleName, policyName string) error {
	if err := checkName("policyName", policyName, 128); err != nil {
		return err
	}
	_, err := s.update(roleName, func(r *record) error {
		if _, ok := r.Inline[policyName]; !ok {
			return noSuchRolePolicy(policyName)
		}
		delete(r.Inline, policyName)
		return nil
	})
	return err
}

// AttachRolePolicy attaches a managed policy (see the package comment for
// which ARNs are taken); attaching one already attached changes nothing.
func (s *Service) AttachRolePolicy(_ context.Context, roleName, policyArn string) error {
	if err := checkPolicyArn(policyArn); err != nil {
		return err
	}
	_, err := s.update(roleName, func(r *record) error {
		for _, a := range r.Attached {
			if a == policyArn {
				return nil
			}
		}
		if len(r.Attached) >= 10 {
			return &localcloud.Error{Code: "LimitExceeded", Status: http.StatusConflict,
				Message: "Cannot exceed quota for PoliciesPerRole: 10"}
		}
		r.Attached = append(r.Attached, policyArn)
		return nil
	})
	return err
}

// DetachRolePolicy detaches a managed policy.
func (s *Service) DetachRolePolicy(_ context.Context, roleName, policyArn string) error {
	if err := required("policyArn", policyArn); err != nil {
		return err
	}
	if !policyArnPattern.MatchString(policyArn) {
		return invalidInput("ARN %s is not valid.", policyArn)
	}
	_, err := s.update(roleName, func(r *record) error {
		for i, a := range r.Attached {
			if a == policyArn {
				r.Attached = append(r.Attached[:i:i], r.Attached[i+1:]...)
				return nil
			}
		}
		return &localcloud.Error{Code: "NoSuchEntity", Status: http.StatusNotFound,
			Message: fmt.Sprintf("Policy %s was not found.", policyArn)}
	})
	return err
}

func attached(arn string) AttachedPolicy {
	return AttachedPolicy{PolicyArn: arn, PolicyName: arn[strings.LastIndex(arn, "/")+1:]}
}

// ListAttachedRolePolicies lists the managed policies attached to a role
// whose path starts with pathPrefix, in attach order.
func (s *Service) ListAttachedRolePolicies(_ context.Context, roleName, pathPrefix, marker string, maxItems int) ([]AttachedPolicy, string, error) {
	rec, err := s.get(roleName)
	if err != nil {
		return nil, "", err
	}
	if pathPrefix == "" {
		pathPrefix = "/"
	}
	var list []AttachedPolicy
	for _, a := range rec.Attached {
		m := policyArnPattern.FindStringSubmatch(a)
		if m != nil && strings.HasPrefix(m[2], pathPrefix) {
			list = append(list, attached(a))
		}
	}
	idx := map[string]string{}
	for i, p := range list {
		idx[p.PolicyArn] = fmt.Sprintf("%04d", i)
	}
	return paginate(list, func(p AttachedPolicy) string { return idx[p.PolicyArn] }, marker, maxItems)
}

// TagRole adds tags to a role, replacing the values of keys it has
// (tag keys are case-insensitive).
func (s *Service) TagRole(_ context.Context, roleName string, tags []Tag) error {
	if len(tags) == 0 {
		return validationError("Value null at 'tags' failed to satisfy constraint: Member must not be null")
	}
	if err := checkTags(tags); err != nil {
		return err
	}
	_, err := s.update(roleName, func(r *record) error {
		for _, t := range tags {
			replaced := false
			for i := range r.Tags {
				if strings.EqualFold(r.Tags[i].Key, t.Key) {
					r.Tags[i] = t
					replaced = true
				}
			}
			if !replaced {
				r.Tags = append(r.Tags, t)
			}
		}
		return checkTags(r.Tags)
	})
	return err
}

// UntagRole removes the tags with the given keys from a role.
func (s *Service) UntagRole(_ context.Context, roleName string, keys []string) error {
	_, err := s.update(roleName, func(r *record) error {
		kept := r.Tags[:0]
		for _, t := range r.Tags {
			drop := false
			for _, k := range keys {
				if strings.EqualFold(k, t.Key) {
					drop = true
				}
			}
			if !drop {
				kept = append(kept, t)
			}
		}
		r.Tags = kept
		return nil
	})
	return err
}

// ListRoleTags lists a role's tags.
func (s *Service) ListRoleTags(_ context.Context, roleName, marker string, maxItems int) ([]Tag, string, error) {
	rec, err := s.get(roleName)
	if err != nil {
		return nil, "", err
	}
	tags := append([]Tag(nil), rec.Tags...)
	sort.Slice(tags, func(i, j int) bool { return tags[i].Key < tags[j].Key })
	return paginate(tags, func(t Tag) string { return t.Key }, marker, maxItems)
}

// RolePolicies gives what a local IAM evaluator needs of a role: its
// trust policy, its inline policies by name and its attached managed
// policy ARNs; documents are JSON.
func (s *Service) RolePolicies(_ context.Context, roleName string) (trust string, inline map[string]string, attached []string, err error) {
	rec, err := s.get(roleName)
	if err != nil {
		return "", nil, nil, err
	}
	inline = make(map[string]string, len(rec.Inline))
	for k, v := range rec.Inline {
		inline[k] = v
	}
	return rec.AssumeRolePolicyDocument, inline, append([]string(nil), rec.Attached...), nil
}

// RoleNameFromArn is the role name of a role ARN of the local account
// (arn:aws:iam::<account>:role[/path/]name), for callers that hold an
// ARN (a function's execution role, a state machine's role).
func RoleNameFromArn(arn string) (string, bool) {
	rest, ok := strings.CutPrefix(arn, "arn:aws:iam::"+localcloud.Account+":role/")
	if !ok || rest == "" || strings.HasSuffix(rest, "/") {
		return "", false
	}
	return rest[strings.LastIndex(rest, "/")+1:], true
}
