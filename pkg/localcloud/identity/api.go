package identity

import (
	"context"
	"net/url"
	"strings"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// Name is IAM's signing name.
func (s *Service) Name() string { return "iam" }

// Protocol is IAM's query protocol.
func (s *Service) Protocol() localcloud.Protocol {
	return localcloud.Query("https://iam.amazonaws.com/doc/2010-05-08/", "2010-05-08")
}

// encodeDoc URL-encodes a policy document as IAM returns it (RFC 3986:
// a space is %20).
func encodeDoc(doc string) string { return strings.ReplaceAll(url.QueryEscape(doc), "+", "%20") }

func isoTime(r Role) string { return r.CreateDate.UTC().Format("2006-01-02T15:04:05Z") }

type wireBoundary struct {
	PermissionsBoundaryType string
	PermissionsBoundaryArn  string
}

type wireRole struct {
	Path                     string
	RoleName                 string
	RoleID                   string `xml:"RoleId"`
	Arn                      string
	CreateDate               string
	AssumeRolePolicyDocument string        `xml:",omitempty"`
	Description              string        `xml:",omitempty"`
	MaxSessionDuration       int           `xml:",omitempty"`
	PermissionsBoundary      *wireBoundary `xml:",omitempty"`
	Tags                     *tagList      `xml:",omitempty"`
}

type tagList struct {
	Member []Tag `xml:"member"`
}

func toWire(r Role, withTags bool) wireRole {
	w := wireRole{Path: r.Path, RoleName: r.RoleName, RoleID: r.RoleID, Arn: r.Arn, CreateDate: isoTime(r),
		AssumeRolePolicyDocument: encodeDoc(r.AssumeRolePolicyDocument), Description: r.Description,
		MaxSessionDuration: r.MaxSessionDuration}
	if r.PermissionsBoundary != "" {
		w.PermissionsBoundary = &wireBoundary{"PermissionsBoundaryPolicy", r.PermissionsBoundary}
	}
	if withTags && len(r.Tags) > 0 {
		w.Tags = &tagList{r.Tags}
	}
	return w
}

type roleResult struct {
	Role wireRole
}

type page struct {
	IsTruncated bool
	Marker      string `xml:",omitempty"`
}

func pageOf(next string) page { return page{IsTruncated: next != "", Marker: next} }

type listRolesResult struct {
	Roles []wireRole `xml:"Roles>member"`
	page
}

type getRolePolicyResult struct {
	RoleName, PolicyName, PolicyDocument string
}

type listRolePoliciesResult struct {
	PolicyNames []string `xml:"PolicyNames>member"`
	page
}

type listAttachedResult struct {
	AttachedPolicies []AttachedPolicy `xml:"AttachedPolicies>member"`
	page
}

type listTagsResult struct {
	Tags []Tag `xml:"Tags>member"`
	page
}

type roleInput struct {
	RoleName, PolicyName, PolicyArn, PolicyDocument string
	PathPrefix, Marker                              string
	MaxItems                                        int
	Description                                     *string
	MaxSessionDuration                              *int
	Tags                                            []Tag
	TagKeys                                         []string
	PermissionsBoundary                             string
}

// Call runs an IAM operation.
func (s *Service) Call(ctx context.Context, op string, req *localcloud.Request) (any, error) {
	switch op {
	case "CreateRole":
		var in CreateRoleInput
		if err := req.Decode(&in); err != nil {
			return nil, err
		}
		r, err := s.CreateRole(ctx, in)
		if err != nil {
			return nil, err
		}
		return roleResult{toWire(r, true)}, nil
	}
	var in roleInput
	if err := req.Decode(&in); err != nil {
		return nil, err
	}
	switch op {
	case "GetRole":
		r, err := s.GetRole(ctx, in.RoleName)
		if err != nil {
			return nil, err
		}
		return roleResult{toWire(r, true)}, nil
	case "ListRoles":
		roles, next, err := s.ListRoles(ctx, in.PathPrefix, in.Marker, in.MaxItems)
		if err != nil {
			return nil, err
		}
		out := listRolesResult{Roles: make([]wireRole, len(roles)), page: pageOf(next)}
		for i, r := range roles {
			out.Roles[i] = toWire(r, false)
		}
		return out, nil
	case "DeleteRole":
		return nil, s.DeleteRole(ctx, in.RoleName)
	case "UpdateRole":
		return struct{}{}, s.UpdateRole(ctx, in.RoleName, in.Description, in.MaxSessionDuration)
	case "UpdateRoleDescription":
		desc := ""
		if in.Description != nil {
			desc = *in.Description
		}
		r, err := s.UpdateRoleDescription(ctx, in.RoleName, desc)
		if err != nil {
			return nil, err
		}
		return roleResult{toWire(r, true)}, nil
	case "UpdateAssumeRolePolicy":
		return nil, s.UpdateAssumeRolePolicy(ctx, in.RoleName, in.PolicyDocument)
	case "PutRolePermissionsBoundary":
		return nil, s.PutRolePermissionsBoundary(ctx, in.RoleName, in.PermissionsBoundary)
	case "DeleteRolePermissionsBoundary":
		return nil, s.DeleteRolePermissionsBoundary(ctx, in.RoleName)
	case "PutRolePolicy":
		return nil, s.PutRolePolicy(ctx, in.RoleName, in.PolicyName, in.PolicyDocument)
	case "GetRolePolicy":
		doc, err := s.GetRolePolicy(ctx, in.RoleName, in.PolicyName)
		if err != nil {
			return nil, err
		}
		r, _ := s.GetRole(ctx, in.RoleName)
		return getRolePolicyResult{RoleName: r.RoleName, PolicyName: in.PolicyName, PolicyDocument: encodeDoc(doc)}, nil
	case "ListRolePolicies":
		names, next, err := s.ListRolePolicies(ctx, in.RoleName, in.Marker, in.MaxItems)
		if err != nil {
			return nil, err
		}
		return listRolePoliciesResult{PolicyNames: names, page: pageOf(next)}, nil
	case "DeleteRolePolicy":
		return nil, s.DeleteRolePolicy(ctx, in.RoleName, in.PolicyName)
	case "AttachRolePolicy":
		return nil, s.AttachRolePolicy(ctx, in.RoleName, in.PolicyArn)
	case "DetachRolePolicy":
		return nil, s.DetachRolePolicy(ctx, in.RoleName, in.PolicyArn)
	case "ListAttachedRolePolicies":
		list, next, err := s.ListAttachedRolePolicies(ctx, in.RoleName, in.PathPrefix, in.Marker, in.MaxItems)
		if err != nil {
			return nil, err
		}
		return listAttachedResult{AttachedPolicies: list, page: pageOf(next)}, nil
	case "TagRole":
		return nil, s.TagRole(ctx, in.RoleName, in.Tags)
	case "UntagRole":
		return nil, s.UntagRole(ctx, in.RoleName, in.TagKeys)
	case "ListRoleTags":
		tags, next, err := s.ListRoleTags(ctx, in.RoleName, in.Marker, in.MaxItems)
		if err != nil {
			return nil, err
		}
		return listTagsResult{Tags: tags, page: pageOf(next)}, nil
	}
	return nil, localcloud.ErrUnknownOperation
}
