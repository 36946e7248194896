package objects

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/awslabs/goformation/v7/cloudformation/s3"

	"github.com/stepforge/stepforge/pkg/localcloud"
	"github.com/stepforge/stepforge/pkg/localcloud/cfnengine"
)

// BucketProvider provisions AWS::S3::Bucket.
func BucketProvider(svc *Service) cfnengine.Provider { return &bucketProvider{svc} }

// BucketPolicyProvider provisions AWS::S3::BucketPolicy.
func BucketPolicyProvider(svc *Service) cfnengine.Provider { return &bucketPolicyProvider{svc} }

type bucketProvider struct{ s *Service }

// bucketProps are AWS::S3::Bucket's properties, decoded without
// goformation's resource wrapper.
type bucketProps s3.Bucket

func (p *bucketProvider) Type() string { return "AWS::S3::Bucket" }

// CreateOnlyProperties: BucketName and ObjectLockEnabled need
// replacement, per the resource reference.
func (p *bucketProvider) CreateOnlyProperties() []string {
	return []string{"BucketName", "ObjectLockEnabled"}
}

// handlerError words a failed call as CloudFormation's resource handlers
// report it in stack events.
func handlerError(err error) error {
	var e *localcloud.Error
	if !errors.As(err, &e) {
		return fmt.Errorf("Resource handler returned message: %q (HandlerErrorCode: InternalFailure)", err.Error())
	}
	status := e.Status
	if status == 0 {
		status = 400
	}
	code := "GeneralServiceException"
	switch e.Code {
	case "NoSuchBucket":
		code = "NotFound"
	case "AccessDenied":
		code = "AccessDenied"
	case "InvalidArgument", "InvalidRequest", "MalformedXML", "MalformedPolicy", "InvalidTag", "InvalidBucketName":
		code = "InvalidRequest"
	case "NotImplemented":
		code = "InvalidRequest"
	}
	return fmt.Errorf("Resource handler returned message: \"%s (Service: S3, Status Code: %d, Request ID: %s)\" (HandlerErrorCode: %s)",
		e.Message, status, strings.ToUpper(randomID(8)), code)
}

func (p *bucketProvider) Create(ctx context.Context, req *cfnengine.ResourceRequest) (*cfnengine.ResourceResult, error) {
	var props bucketProps
	if err := req.Decode(&props); err != nil {
		return nil, fmt.Errorf("Properties validation failed for resource %s: %w", req.LogicalID, err)
	}
	if err := unsupportedBucketProps(&props); err != nil {
		return nil, err
	}
	name := ""
	if props.BucketName != nil {
		name = *props.BucketName
	} else {
		name = req.PhysicalName(63, true)
	}
	if _, err := p.s.BucketRegion(ctx, name); err == nil {
		return nil, fmt.Errorf("Resource handler returned message: \"%s already exists\" (HandlerErrorCode: AlreadyExists)", name)
	}
	if err := p.s.CreateBucket(ctx, name, req.Region); err != nil {
		return nil, handlerError(err)
	}
	if err := p.apply(ctx, name, &props, nil); err != nil {
		_ = p.s.DeleteBucket(ctx, name)
		return nil, err
	}
	return p.result(ctx, name, req.Region), nil
}

func (p *bucketProvider) Update(ctx context.Context, req *cfnengine.ResourceRequest) (*cfnengine.ResourceResult, error) {
	var props, old bucketProps
	if err := req.Decode(&props); err != nil {
		return nil, fmt.Errorf("Properties validation failed for resource %s: %w", req.LogicalID, err)
	}
	if err := cfnengine.DecodeProperties(req.OldProperties, &old); err != nil {
		return nil, fmt.Errorf("previous properties of %s: %w", req.LogicalID, err)
	}
	if err := unsupportedBucketProps(&props); err != nil {
		return nil, err
	}
	if err := p.apply(ctx, req.PhysicalID, &props, &old); err != nil {
		return nil, err
	}
	return p.result(ctx, req.PhysicalID, req.Region), nil
}

func (p *bucketProvider) Delete(ctx context.Context, req *cfnengine.ResourceRequest) error {
	err := p.s.DeleteBucket(ctx, req.PhysicalID)
	var e *localcloud.Error
	if errors.As(err, &e) && e.Code == "NoSuchBucket" {
		return nil
	}
	if err != nil {
		return handlerError(err)
	}
	return nil
}

// result gives Ref (the bucket name) and the attributes the resource
// reference documents.
func (p *bucketProvider) result(ctx context.Context, name, region string) *cfnengine.ResourceResult {
	if r, err := p.s.BucketRegion(ctx, name); err == nil {
		region = r
	}
	if region == "" {
		region = localcloud.Region
	}
	return &cfnengine.ResourceResult{PhysicalID: name, Ref: name, Attributes: map[string]any{
		"Arn":                 "arn:aws:s3:::" + name,
		"DomainName":          name + ".s3.amazonaws.com",
		"RegionalDomainName":  name + ".s3." + region + ".amazonaws.com",
		"DualStackDomainName": name + ".s3.dualstack." + region + ".amazonaws.com",
		"WebsiteURL":          "http://" + name + "." + websiteEndpoint(region),
	}}
}

// websiteEndpoint is the region's website endpoint: the older regions
// write it with a dash, the later ones with a dot.
func websiteEndpoint(region string) string {
	switch region {
	case "us-east-1", "us-west-1", "us-west-2", "eu-west-1", "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "sa-east-1", "us-gov-west-1":
		return "s3-website-" + region + ".amazonaws.com"
	}
	return "s3-website." + region + ".amazonaws.com"
}

// unsupportedBucketProps refuses, by name, the properties the local
// cloud's S3 does not implement.
func unsupportedBucketProps(b *bucketProps) error {
	unsupported := map[string]bool{
		"AccelerateConfiguration":          b.AccelerateConfiguration != nil,
		"AnalyticsConfigurations":          len(b.AnalyticsConfigurations) > 0,
		"CorsConfiguration":                b.CorsConfiguration != nil,
		"IntelligentTieringConfigurations": len(b.IntelligentTieringConfigurations) > 0,
		"InventoryConfigurations":          len(b.InventoryConfigurations) > 0,
		"LoggingConfiguration":             b.LoggingConfiguration != nil,
		"MetricsConfigurations":            len(b.MetricsConfigurations) > 0,
		"ObjectLockConfiguration":          b.ObjectLockConfiguration != nil,
		"ObjectLockEnabled":                b.ObjectLockEnabled != nil && *b.ObjectLockEnabled,
		"ReplicationConfiguration":         b.ReplicationConfiguration != nil,
		"WebsiteConfiguration":             b.WebsiteConfiguration != nil,
		"AccessControl":                    b.AccessControl != nil && *b.AccessControl != "Private",
	}
	for _, name := range []string{"AccelerateConfiguration", "AccessControl", "AnalyticsConfigurations", "CorsConfiguration",
		"IntelligentTieringConfigurations", "InventoryConfigurations", "LoggingConfiguration", "MetricsConfigurations",
		"ObjectLockConfiguration", "ObjectLockEnabled", "ReplicationConfiguration", "WebsiteConfiguration"} {
		if unsupported[name] {
			return fmt.Errorf("Resource handler returned message: \"AWS::S3::Bucket property %s is not supported by the local cloud\" (HandlerErrorCode: InvalidRequest)", name)
		}
	}
	if n := b.NotificationConfiguration; n != nil {
		switch {
		case len(n.TopicConfigurations) > 0:
			return errors.New("Resource handler returned message: \"AWS::S3::Bucket NotificationConfiguration.TopicConfigurations is not supported by the local cloud\" (HandlerErrorCode: InvalidRequest)")
		case len(n.QueueConfigurations) > 0:
			return errors.New("Resource handler returned message: \"AWS::S3::Bucket NotificationConfiguration.QueueConfigurations is not supported by the local cloud\" (HandlerErrorCode: InvalidRequest)")
		case len(n.LambdaConfigurations) > 0:
			return errors.New("Resource handler returned message: \"AWS::S3::Bucket NotificationConfiguration.LambdaConfigurations is not supported by the local cloud\" (HandlerErrorCode: InvalidRequest)")
		}
	}
	return nil
}

// apply sets the bucket's sub-resources to what props say; old (on
// update) says what was set before, so that a removed one is removed.
func (p *bucketProvider) apply(ctx context.Context, name string, props, old *bucketProps) error {
	s := p.s
	steps := []func() error{
		func() error {
			if e := props.BucketEncryption; e != nil {
				c := &ServerSideEncryptionConfiguration{}
				for _, r := range e.ServerSideEncryptionConfiguration {
					rule := ServerSideEncryptionRule{BucketKeyEnabled: r.BucketKeyEnabled}
					if d := r.ServerSideEncryptionByDefault; d != nil {
						rule.ApplyServerSideEncryptionByDefault = &ServerSideEncryptionByDefault{SSEAlgorithm: d.SSEAlgorithm, KMSMasterKeyID: deref(d.KMSMasterKeyID)}
					}
					c.Rules = append(c.Rules, rule)
				}
				return s.PutBucketEncryption(ctx, name, c)
			}
			return s.DeleteBucketEncryption(ctx, name)
		},
		func() error {
			if b := props.PublicAccessBlockConfiguration; b != nil {
				return s.PutPublicAccessBlock(ctx, name, &PublicAccessBlockConfiguration{BlockPublicAcls: derefBool(b.BlockPublicAcls),
					IgnorePublicAcls: derefBool(b.IgnorePublicAcls), BlockPublicPolicy: derefBool(b.BlockPublicPolicy), RestrictPublicBuckets: derefBool(b.RestrictPublicBuckets)})
			}
			return s.DeletePublicAccessBlock(ctx, name)
		},
		func() error {
			c := &NotificationConfiguration{}
			if n := props.NotificationConfiguration; n != nil && n.EventBridgeConfiguration != nil && n.EventBridgeConfiguration.EventBridgeEnabled {
				c.EventBridgeConfiguration = &EventBridgeConfiguration{}
			}
			return s.PutBucketNotificationConfiguration(ctx, name, c)
		},
		func() error {
			if l := props.LifecycleConfiguration; l != nil && len(l.Rules) > 0 {
				c := &LifecycleConfiguration{}
				for _, r := range l.Rules {
					rule, err := lifecycleRule(r)
					if err != nil {
						return err
					}
					c.Rules = append(c.Rules, rule)
				}
				return s.PutBucketLifecycleConfiguration(ctx, name, c)
			}
			return s.DeleteBucketLifecycle(ctx, name)
		},
		func() error {
			if v := props.VersioningConfiguration; v != nil {
				return s.PutBucketVersioning(ctx, name, &VersioningConfiguration{Status: v.Status})
			}
			if old != nil && old.VersioningConfiguration != nil && old.VersioningConfiguration.Status == "Enabled" {
				return s.PutBucketVersioning(ctx, name, &VersioningConfiguration{Status: "Suspended"})
			}
			return nil
		},
		func() error {
			if len(props.Tags) > 0 {
				tags := make([]Tag, len(props.Tags))
				for i, t := range props.Tags {
					tags[i] = Tag{Key: t.Key, Value: t.Value}
				}
				return s.PutBucketTagging(ctx, name, tags)
			}
			return s.DeleteBucketTagging(ctx, name)
		},
		func() error {
			if o := props.OwnershipControls; o != nil {
				c := &OwnershipControls{}
				for _, r := range o.Rules {
					c.Rules = append(c.Rules, OwnershipControlsRule{ObjectOwnership: deref(r.ObjectOwnership)})
				}
				return s.PutBucketOwnershipControls(ctx, name, c)
			}
			if old != nil && old.OwnershipControls != nil {
				return s.DeleteBucketOwnershipControls(ctx, name)
			}
			return nil
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return handlerError(err)
		}
	}
	return nil
}

// lifecycleRule turns a CloudFormation lifecycle rule into S3's, as the
// resource handler does: the rule's prefix, tag filters and size limits
// become its filter.
func lifecycleRule(r s3.Bucket_Rule) (LifecycleRule, error) {
	out := LifecycleRule{ID: deref(r.Id), Status: r.Status}
	var conds int
	and := &LifecycleRuleAndOperator{}
	if r.Prefix != nil {
		conds++
		and.Prefix = r.Prefix
	}
	for _, t := range r.TagFilters {
		conds++
		and.Tags = append(and.Tags, Tag{Key: t.Key, Value: t.Value})
	}
	sizes := []struct {
		v   *string
		dst **int64
	}{{r.ObjectSizeGreaterThan, &and.ObjectSizeGreaterThan}, {r.ObjectSizeLessThan, &and.ObjectSizeLessThan}}
	for _, sz := range sizes {
		if sz.v == nil {
			continue
		}
		n, err := strconv.ParseInt(*sz.v, 10, 64)
		if err != nil {
			return out, fmt.Errorf("Properties validation failed: object size %q is not a number", *sz.v)
		}
		conds++
		*sz.dst = &n
	}
	switch {
	case conds == 0:
		empty := ""
		out.Filter = &LifecycleRuleFilter{Prefix: &empty}
	case conds == 1:
		f := &LifecycleRuleFilter{Prefix: and.Prefix, ObjectSizeGreaterThan: and.ObjectSizeGreaterThan, ObjectSizeLessThan: and.ObjectSizeLessThan}
		if len(and.Tags) == 1 {
			f.Tag = &and.Tags[0]
		}
		out.Filter = f
	default:
		out.Filter = &LifecycleRuleFilter{And: and}
	}
	if r.ExpirationInDays != nil || r.ExpirationDate != nil || r.ExpiredObjectDeleteMarker != nil {
		out.Expiration = &LifecycleExpiration{Date: deref(r.ExpirationDate), ExpiredObjectDeleteMarker: r.ExpiredObjectDeleteMarker}
		if r.ExpirationInDays != nil {
			out.Expiration.Days = *r.ExpirationInDays
		}
	}
	transitions := r.Transitions
	if r.Transition != nil {
		transitions = append(transitions, *r.Transition)
	}
	for _, t := range transitions {
		tr := Transition{Date: deref(t.TransitionDate), StorageClass: t.StorageClass}
		if t.TransitionInDays != nil {
			tr.Days = *t.TransitionInDays
		}
		out.Transitions = append(out.Transitions, tr)
	}
	nvt := r.NoncurrentVersionTransitions
	if r.NoncurrentVersionTransition != nil {
		nvt = append(nvt, *r.NoncurrentVersionTransition)
	}
	for _, t := range nvt {
		tr := NoncurrentVersionTransition{NoncurrentDays: t.TransitionInDays, StorageClass: t.StorageClass}
		if t.NewerNoncurrentVersions != nil {
			tr.NewerNoncurrentVersions = *t.NewerNoncurrentVersions
		}
		out.NoncurrentVersionTransitions = append(out.NoncurrentVersionTransitions, tr)
	}
	if e := r.NoncurrentVersionExpiration; e != nil {
		out.NoncurrentVersionExpiration = &NoncurrentVersionExpiration{NoncurrentDays: e.NoncurrentDays}
		if e.NewerNoncurrentVersions != nil {
			out.NoncurrentVersionExpiration.NewerNoncurrentVersions = *e.NewerNoncurrentVersions
		}
	} else if r.NoncurrentVersionExpirationInDays != nil {
		out.NoncurrentVersionExpiration = &NoncurrentVersionExpiration{NoncurrentDays: *r.NoncurrentVersionExpirationInDays}
	}
	if a := r.AbortIncompleteMultipartUpload; a != nil {
		out.AbortIncompleteMultipartUpload = &AbortIncompleteMultipartUpload{DaysAfterInitiation: a.DaysAfterInitiation}
	}
	return out, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func derefBool(b *bool) bool { return b != nil && *b }

type bucketPolicyProvider struct{ s *Service }

type bucketPolicyProps struct {
	Bucket         string `json:"Bucket"`
	PolicyDocument any    `json:"PolicyDocument"`
}

func (p *bucketPolicyProvider) Type() string { return "AWS::S3::BucketPolicy" }

// CreateOnlyProperties: a policy moved to another bucket is a new one.
func (p *bucketPolicyProvider) CreateOnlyProperties() []string { return []string{"Bucket"} }

func (p *bucketPolicyProvider) put(ctx context.Context, req *cfnengine.ResourceRequest) (*cfnengine.ResourceResult, error) {
	var props bucketPolicyProps
	if err := req.Decode(&props); err != nil {
		return nil, fmt.Errorf("Properties validation failed for resource %s: %w", req.LogicalID, err)
	}
	if props.Bucket == "" {
		return nil, fmt.Errorf("Properties validation failed for resource %s with message: #: required key [Bucket] not found", req.LogicalID)
	}
	var doc string
	switch d := props.PolicyDocument.(type) {
	case string:
		doc = d
	case nil:
		return nil, fmt.Errorf("Properties validation failed for resource %s with message: #: required key [PolicyDocument] not found", req.LogicalID)
	default:
		b, err := json.Marshal(d)
		if err != nil {
			return nil, fmt.Errorf("Properties validation failed for resource %s: PolicyDocument: %w", req.LogicalID, err)
		}
		doc = string(b)
	}
	if err := p.s.PutBucketPolicy(ctx, props.Bucket, doc); err != nil {
		return nil, handlerError(err)
	}
	return &cfnengine.ResourceResult{PhysicalID: props.Bucket, Ref: props.Bucket}, nil
}

func (p *bucketPolicyProvider) Create(ctx context.Context, req *cfnengine.ResourceRequest) (*cfnengine.ResourceResult, error) {
	return p.put(ctx, req)
}

func (p *bucketPolicyProvider) Update(ctx context.Context, req *cfnengine.ResourceRequest) (*cfnengine.ResourceResult, error) {
	return p.put(ctx, req)
}

func (p *bucketPolicyProvider) Delete(ctx context.Context, req *cfnengine.ResourceRequest) error {
	err := p.s.DeleteBucketPolicy(ctx, req.PhysicalID)
	var e *localcloud.Error
	if errors.As(err, &e) && e.Code == "NoSuchBucket" {
		return nil
	}
	if err != nil {
		return handlerError(err)
	}
	return nil
}
