package identity

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/cfnengine"
)

// RoleProvider provisions AWS::IAM::Role through svc.
func RoleProvider(svc *Service) cfnengine.Provider { return &roleProvider{svc: svc} }

type roleProvider struct{ svc *Service }

// Type is AWS::IAM::Role.
func (p *roleProvider) Type() string { return "AWS::IAM::Role" }

// CreateOnlyProperties are RoleName and Path ("Update requires:
// Replacement" in the AWS::IAM::Role reference).
func (p *roleProvider) CreateOnlyProperties() []string { return []string{"RoleName", "Path"} }

type rolePolicy struct {
	PolicyName     string
	PolicyDocument any
}

type roleProps struct {
	RoleName                 string
	Path                     string
	AssumeRolePolicyDocument any
	Description              string
	MaxSessionDuration       int
	PermissionsBoundary      string
	ManagedPolicyArns        []string
	Policies                 []rolePolicy
	Tags                     []Tag
}

var roleProperties = map[string]bool{"RoleName": true, "Path": true, "AssumeRolePolicyDocument": true,
	"Description": true, "MaxSessionDuration": true, "PermissionsBoundary": true, "ManagedPolicyArns": true,
	"Policies": true, "Tags": true}

func decodeRole(req *cfnengine.ResourceRequest) (roleProps, error) {
	var props roleProps
	for k := range req.Properties {
		if !roleProperties[k] {
			return props, fmt.Errorf("Encountered unsupported property %s", k)
		}
	}
	if err := req.Decode(&props); err != nil {
		return props, fmt.Errorf("Properties validation failed for resource %s: %v", req.LogicalID, err)
	}
	if props.AssumeRolePolicyDocument == nil {
		return props, fmt.Errorf("Properties validation failed for resource %s with message: #: required key [AssumeRolePolicyDocument] not found", req.LogicalID)
	}
	for _, pol := range props.Policies {
		if pol.PolicyName == "" || pol.PolicyDocument == nil {
			return props, fmt.Errorf("Properties validation failed for resource %s with message: #/Policies: required key [PolicyName, PolicyDocument] not found", req.LogicalID)
		}
	}
	return props, nil
}

// documentJSON is a template's policy document as the JSON IAM takes: a
// string is taken as written, an object is marshalled.
func documentJSON(v any) (string, error) {
	if s, ok := v.(string); ok {
		return s, nil
	}
	b, err := json.Marshal(v)
	return string(b), err
}

// handlerError words a service error as CloudFormation's resource
// handlers report it in stack events.
func handlerError(err error) error {
	var e *localcloud.Error
	if !errors.As(err, &e) {
		return err
	}
	status := e.Status
	if status == 0 {
		status = http.StatusBadRequest
	}
	code := "GeneralServiceException"
	switch e.Code {
	case "EntityAlreadyExists":
		code = "AlreadyExists"
	case "NoSuchEntity":
		code = "NotFound"
	case "MalformedPolicyDocument", "ValidationError", "InvalidInput":
		code = "InvalidRequest"
	case "LimitExceeded":
		code = "ServiceLimitExceeded"
	}
	var id [16]byte
	_, _ = rand.Read(id[:])
	h := hex.EncodeToString(id[:])
	return fmt.Errorf("Resource handler returned message: %q (HandlerErrorCode: %s)",
		fmt.Sprintf("%s (Service: Iam, Status Code: %d, Request ID: %s-%s-%s-%s-%s)", e.Message, status, h[:8], h[8:12], h[12:16], h[16:20], h[20:]), code)
}

func isNotFound(err error) bool {
	var e *localcloud.Error
	return errors.As(err, &e) && e.Code == "NoSuchEntity"
}

func resourceResult(r Role) *cfnengine.ResourceResult {
	return &cfnengine.ResourceResult{PhysicalID: r.RoleName, Ref: r.RoleName,
		Attributes: map[string]any{"Arn": r.Arn, "RoleId": r.RoleID}}
}

// Create makes the role, then its inline policies and attachments; a
// failure part way removes what was made.
func (p *roleProvider) Create(ctx context.Context, req *cfnengine.ResourceRequest) (*cfnengine.ResourceResult, error) {
	props, err := decodeRole(req)
	if err != nil {
		return nil, err
	}
	trust, err := documentJSON(props.AssumeRolePolicyDocument)
	if err != nil {
		return nil, err
	}
	name := props.RoleName
	if name == "" {
		name = req.PhysicalName(64, false)
	}
	r, err := p.svc.CreateRole(ctx, CreateRoleInput{RoleName: name, Path: props.Path, AssumeRolePolicyDocument: trust,
		Description: props.Description, MaxSessionDuration: props.MaxSessionDuration,
		PermissionsBoundary: props.PermissionsBoundary, Tags: props.Tags})
	if err != nil {
		return nil, handlerError(err)
	}
	if err := p.reconcile(ctx, name, props); err != nil {
		_ = p.remove(ctx, name)
		return nil, err
	}
	return resourceResult(r), nil
}

// reconcile makes the role's inline policies and attached managed
// policies exactly the template's.
func (p *roleProvider) reconcile(ctx context.Context, name string, props roleProps) error {
	_, inline, attached, err := p.svc.RolePolicies(ctx, name)
	if err != nil {
		return handlerError(err)
	}
	want := map[string]bool{}
	for _, pol := range props.Policies {
		doc, err := documentJSON(pol.PolicyDocument)
		if err != nil {
			return err
		}
		want[pol.PolicyName] = true
		if inline[pol.PolicyName] == doc {
			continue
		}
		if err := p.svc.PutRolePolicy(ctx, name, pol.PolicyName, doc); err != nil {
			return handlerError(err)
		}
	}
	var stale []string
	for n := range inline {
		if !want[n] {
			stale = append(stale, n)
		}
	}
	sort.Strings(stale)
	for _, n := range stale {
		if err := p.svc.DeleteRolePolicy(ctx, name, n); err != nil && !isNotFound(err) {
			return handlerError(err)
		}
	}
	wantArn := map[string]bool{}
	for _, a := range props.ManagedPolicyArns {
		wantArn[a] = true
		if err := p.svc.AttachRolePolicy(ctx, name, a); err != nil {
			return handlerError(err)
		}
	}
	for _, a := range attached {
		if !wantArn[a] {
			if err := p.svc.DetachRolePolicy(ctx, name, a); err != nil && !isNotFound(err) {
				return handlerError(err)
			}
		}
	}
	return nil
}

// Update changes the role in place: trust policy, description, session
// duration, permissions boundary, inline policies (removed ones deleted),
// managed policies and tags.
func (p *roleProvider) Update(ctx context.Context, req *cfnengine.ResourceRequest) (*cfnengine.ResourceResult, error) {
	props, err := decodeRole(req)
	if err != nil {
		return nil, err
	}
	name := req.PhysicalID
	trust, err := documentJSON(props.AssumeRolePolicyDocument)
	if err != nil {
		return nil, err
	}
	cur, err := p.svc.GetRole(ctx, name)
	if err != nil {
		return nil, handlerError(err)
	}
	if cur.AssumeRolePolicyDocument != trust {
		if err := p.svc.UpdateAssumeRolePolicy(ctx, name, trust); err != nil {
			return nil, handlerError(err)
		}
	}
	session := props.MaxSessionDuration
	if session == 0 {
		session = defaultMaxSession
	}
	if err := p.svc.UpdateRole(ctx, name, &props.Description, &session); err != nil {
		return nil, handlerError(err)
	}
	switch {
	case props.PermissionsBoundary != "" && props.PermissionsBoundary != cur.PermissionsBoundary:
		err = p.svc.PutRolePermissionsBoundary(ctx, name, props.PermissionsBoundary)
	case props.PermissionsBoundary == "" && cur.PermissionsBoundary != "":
		err = p.svc.DeleteRolePermissionsBoundary(ctx, name)
	}
	if err != nil {
		return nil, handlerError(err)
	}
	if err := p.reconcile(ctx, name, props); err != nil {
		return nil, err
	}
	var drop []string
	for _, t := range cur.Tags {
		keep := false
		for _, n := range props.Tags {
			keep = keep || strings.EqualFold(n.Key, t.Key)
		}
		if !keep {
			drop = append(drop, t.Key)
		}
	}
	if len(drop) > 0 {
		if err := p.svc.UntagRole(ctx, name, drop); err != nil {
			return nil, handlerError(err)
		}
	}
	if len(props.Tags) > 0 {
		if err := p.svc.TagRole(ctx, name, props.Tags); err != nil {
			return nil, handlerError(err)
		}
	}
	r, err := p.svc.GetRole(ctx, name)
	if err != nil {
		return nil, handlerError(err)
	}
	return resourceResult(r), nil
}

// Delete detaches and deletes the role's policies, then the role; a role
// already gone is not an error.
func (p *roleProvider) Delete(ctx context.Context, req *cfnengine.ResourceRequest) error {
	if err := p.remove(ctx, req.PhysicalID); err != nil {
		return handlerError(err)
	}
	return nil
}

func (p *roleProvider) remove(ctx context.Context, name string) error {
	_, inline, attached, err := p.svc.RolePolicies(ctx, name)
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, a := range attached {
		if err := p.svc.DetachRolePolicy(ctx, name, a); err != nil && !isNotFound(err) {
			return err
		}
	}
	for n := range inline {
		if err := p.svc.DeleteRolePolicy(ctx, name, n); err != nil && !isNotFound(err) {
			return err
		}
	}
	if err := p.svc.DeleteRole(ctx, name); err != nil && !isNotFound(err) {
		return err
	}
	return nil
}
