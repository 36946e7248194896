package objects

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// BucketInfo is one bucket as ListBuckets gives it.
type BucketInfo struct {
	Name, Region string
	Created      time.Time
}

// CreateBucket creates a bucket in region (empty means us-east-1). A
// bucket of that name is always the caller's own in the local cloud
// (one account), so a second create is BucketAlreadyOwnedByYou, except
// that S3 answers it with success in us-east-1, for legacy compatibility.
func (s *Service) CreateBucket(ctx context.Context, name, region string) error {
	if !validBucketName(name) {
		return s3Error("InvalidBucketName", http.StatusBadRequest, "The specified bucket is not valid.")
	}
	if region == "" {
		region = localcloud.Region
	}
	return s.store.Update(func(tx *localcloud.Tx) error {
		var existing bucketRecord
		found, err := tx.Get(tableBuckets, name, &existing)
		if err != nil {
			return err
		}
		if found && existing.Region == localcloud.Region && region == localcloud.Region {
			return nil
		}
		if found {
			return s3Error("BucketAlreadyOwnedByYou", http.StatusConflict, "Your previous request to create the named bucket succeeded and you already own it.")
		}
		b := &bucketRecord{Name: name, Region: region, Created: time.Now().UTC(),
			OwnershipControls: &OwnershipControls{Rules: []OwnershipControlsRule{{ObjectOwnership: "BucketOwnerEnforced"}}}}
		return tx.Put(tableBuckets, name, b)
	})
}

// DeleteBucket deletes an empty bucket (no objects, versions or delete
// markers), with its configuration and incomplete multipart uploads.
func (s *Service) DeleteBucket(ctx context.Context, name string) error {
	return s.store.Update(func(tx *localcloud.Tx) error {
		if _, err := getBucket(tx, name); err != nil {
			return err
		}
		if nonEmpty(tx, tableObjects, name) || nonEmpty(tx, tableVersions, name) {
			return s3Error("BucketNotEmpty", http.StatusConflict, "The bucket you tried to delete is not empty")
		}
		var uploads []uploadRecord
		if err := tx.Scan(tableUploads, name+"/", func(_ string, raw []byte) error {
			var u uploadRecord
			if err := json.Unmarshal(raw, &u); err != nil {
				return err
			}
			uploads = append(uploads, u)
			return nil
		}); err != nil {
			return err
		}
		for i := range uploads {
			if err := dropUpload(tx, &uploads[i]); err != nil {
				return err
			}
		}
		return tx.Delete(tableBuckets, name)
	})
}

var bucketNamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

// validBucketName applies S3's general purpose bucket naming rules.
func validBucketName(name string) bool {
	if !bucketNamePattern.MatchString(name) || strings.Contains(name, "..") || net.ParseIP(name) != nil {
		return false
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(name, p) {
			return false
		}
	}
	for _, suf := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(name, suf) {
			return false
		}
	}
	return true
}

func nonEmpty(tx *localcloud.Tx, table, bucket string) bool {
	errFound := errStop
	err := tx.Scan(table, bucket+"/", func(string, []byte) error { return errFound })
	return err == errFound
}

// BucketRegion returns the region a bucket was created in.
func (s *Service) BucketRegion(ctx context.Context, name string) (string, error) {
	var region string
	err := s.store.View(func(tx *localcloud.Tx) error {
		b, err := getBucket(tx, name)
		if err == nil {
			region = b.Region
		}
		return err
	})
	return region, err
}

// ListBuckets returns the buckets in name order.
func (s *Service) ListBuckets(ctx context.Context) ([]BucketInfo, error) {
	var out []BucketInfo
	err := s.store.View(func(tx *localcloud.Tx) error {
		return tx.Scan(tableBuckets, "", func(_ string, raw []byte) error {
			var b bucketRecord
			if err := json.Unmarshal(raw, &b); err != nil {
				return err
			}
			out = append(out, BucketInfo{Name: b.Name, Region: b.Region, Created: b.Created})
			return nil
		})
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, err
}

func (s *Service) viewBucket(name string, fn func(*bucketRecord) error) error {
	return s.store.View(func(tx *localcloud.Tx) error {
		b, err := getBucket(tx, name)
		if err != nil {
			return err
		}
		return fn(b)
	})
}

func (s *Service) updateBucket(name string, fn func(*bucketRecord) error) error {
	return s.store.Update(func(tx *localcloud.Tx) error {
		b, err := getBucket(tx, name)
		if err != nil {
			return err
		}
		if err := fn(b); err != nil {
			return err
		}
		return tx.Put(tableBuckets, name, b)
	})
}

// PutBucketEncryption sets a bucket's default encryption.
func (s *Service) PutBucketEncryption(ctx context.Context, bucket string, c *ServerSideEncryptionConfiguration) error {
	if err := c.validate(); err != nil {
		return err
	}
	return s.updateBucket(bucket, func(b *bucketRecord) error { b.Encryption = c; return nil })
}

// GetBucketEncryption returns a bucket's default encryption: SSE-S3
// unless set otherwise, as S3 has for every bucket.
func (s *Service) GetBucketEncryption(ctx context.Context, bucket string) (*ServerSideEncryptionConfiguration, error) {
	var out *ServerSideEncryptionConfiguration
	err := s.viewBucket(bucket, func(b *bucketRecord) error {
		out = b.Encryption
		if out == nil {
			out = defaultEncryption()
		}
		return nil
	})
	return out, err
}

// DeleteBucketEncryption resets a bucket's default encryption to SSE-S3.
func (s *Service) DeleteBucketEncryption(ctx context.Context, bucket string) error {
	return s.updateBucket(bucket, func(b *bucketRecord) error { b.Encryption = nil; return nil })
}

// PutPublicAccessBlock sets a bucket's public access block.
func (s *Service) PutPublicAccessBlock(ctx context.Context, bucket string, c *PublicAccessBlockConfiguration) error {
	return s.updateBucket(bucket, func(b *bucketRecord) error { b.PublicAccessBlock = c; return nil })
}

// GetPublicAccessBlock returns a bucket's public access block.
func (s *Service) GetPublicAccessBlock(ctx context.Context, bucket string) (*PublicAccessBlockConfiguration, error) {
	var out *PublicAccessBlockConfiguration
	err := s.viewBucket(bucket, func(b *bucketRecord) error {
		if out = b.PublicAccessBlock; out == nil {
			return s3Error("NoSuchPublicAccessBlockConfiguration", http.StatusNotFound, "The public access block configuration was not found")
		}
		return nil
	})
	return out, err
}

// DeletePublicAccessBlock removes a bucket's public access block.
func (s *Service) DeletePublicAccessBlock(ctx context.Context, bucket string) error {
	return s.updateBucket(bucket, func(b *bucketRecord) error { b.PublicAccessBlock = nil; return nil })
}

// PutBucketNotificationConfiguration sets a bucket's notifications.
func (s *Service) PutBucketNotificationConfiguration(ctx context.Context, bucket string, c *NotificationConfiguration) error {
	if err := c.validate(); err != nil {
		return err
	}
	return s.updateBucket(bucket, func(b *bucketRecord) error { b.Notification = c; return nil })
}

// GetBucketNotificationConfiguration returns a bucket's notifications
// (empty when none are set).
func (s *Service) GetBucketNotificationConfiguration(ctx context.Context, bucket string) (*NotificationConfiguration, error) {
	out := &NotificationConfiguration{}
	err := s.viewBucket(bucket, func(b *bucketRecord) error {
		if b.Notification != nil {
			out = b.Notification
		}
		return nil
	})
	return out, err
}

// PutBucketLifecycleConfiguration sets a bucket's lifecycle rules. The
// local cloud keeps them; it does not run expirations.
func (s *Service) PutBucketLifecycleConfiguration(ctx context.Context, bucket string, c *LifecycleConfiguration) error {
	if err := c.validate(); err != nil {
		return err
	}
	return s.updateBucket(bucket, func(b *bucketRecord) error { b.Lifecycle = c; return nil })
}

// GetBucketLifecycleConfiguration returns a bucket's lifecycle rules.
func (s *Service) GetBucketLifecycleConfiguration(ctx context.Context, bucket string) (*LifecycleConfiguration, error) {
	var out *LifecycleConfiguration
	err := s.viewBucket(bucket, func(b *bucketRecord) error {
		if out = b.Lifecycle; out == nil {
			return s3Error("NoSuchLifecycleConfiguration", http.StatusNotFound, "The lifecycle configuration does not exist")
		}
		return nil
	})
	return out, err
}

// DeleteBucketLifecycle removes a bucket's lifecycle rules.
func (s *Service) DeleteBucketLifecycle(ctx context.Context, bucket string) error {
	return s.updateBucket(bucket, func(b *bucketRecord) error { b.Lifecycle = nil; return nil })
}

// PutBucketVersioning sets a bucket's versioning state to Enabled or
// Suspended; once enabled, a bucket can only be suspended.
func (s *Service) PutBucketVersioning(ctx context.Context, bucket string, c *VersioningConfiguration) error {
	switch c.Status {
	case "Enabled", "Suspended":
	default:
		return malformedXML()
	}
	switch c.MFADelete {
	case "", "Disabled":
	case "Enabled":
		return notImplemented("PutBucketVersioning with MfaDelete Enabled")
	default:
		return malformedXML()
	}
	return s.updateBucket(bucket, func(b *bucketRecord) error {
		b.Versioning = VersioningConfiguration{Status: c.Status, MFADelete: c.MFADelete}
		return nil
	})
}

// GetBucketVersioning returns a bucket's versioning state.
func (s *Service) GetBucketVersioning(ctx context.Context, bucket string) (*VersioningConfiguration, error) {
	var out VersioningConfiguration
	err := s.viewBucket(bucket, func(b *bucketRecord) error { out = b.Versioning; return nil })
	return &out, err
}

// PutBucketPolicy sets a bucket's policy document (JSON).
func (s *Service) PutBucketPolicy(ctx context.Context, bucket, policy string) error {
	if err := validatePolicy(policy); err != nil {
		return err
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(policy), &doc); err != nil {
		return s3Error("MalformedPolicy", http.StatusBadRequest, "Policies must be valid JSON and the first byte must be '{'")
	}
	if _, ok := doc["Statement"]; !ok {
		return s3Error("MalformedPolicy", http.StatusBadRequest, "Missing required field Statement")
	}
	return s.updateBucket(bucket, func(b *bucketRecord) error {
		if b.PublicAccessBlock != nil && b.PublicAccessBlock.BlockPublicPolicy && publicPolicy(doc) {
			return s3Error("AccessDenied", http.StatusForbidden, "User: arn:aws:iam::%s:root is not authorized to perform: s3:PutBucketPolicy on resource: \"arn:aws:s3:::%s\" because public policies are blocked by the BlockPublicPolicy block public access setting.", localcloud.Account, bucket)
		}
		b.Policy = policy
		return nil
	})
}

// publicPolicy says whether a policy grants access to everyone: an Allow
// statement for the principal "*" with no condition to narrow it.
func publicPolicy(doc map[string]any) bool {
	statements, ok := doc["Statement"].([]any)
	if !ok {
		statements = []any{doc["Statement"]}
	}
	for _, st := range statements {
		m, ok := st.(map[string]any)
		if !ok || m["Effect"] != "Allow" || m["Condition"] != nil {
			continue
		}
		switch p := m["Principal"].(type) {
		case string:
			if p == "*" {
				return true
			}
		case map[string]any:
			switch aws := p["AWS"].(type) {
			case string:
				if aws == "*" {
					return true
				}
			case []any:
				for _, a := range aws {
					if a == "*" {
						return true
					}
				}
			}
		}
	}
	return false
}

// GetBucketPolicy returns a bucket's policy document.
func (s *Service) GetBucketPolicy(ctx context.Context, bucket string) (string, error) {
	var out string
	err := s.viewBucket(bucket, func(b *bucketRecord) error {
		if out = b.Policy; out == "" {
			return s3Error("NoSuchBucketPolicy", http.StatusNotFound, "The bucket policy does not exist")
		}
		return nil
	})
	return out, err
}

// DeleteBucketPolicy removes a bucket's policy.
func (s *Service) DeleteBucketPolicy(ctx context.Context, bucket string) error {
	return s.updateBucket(bucket, func(b *bucketRecord) error { b.Policy = ""; return nil })
}

// PutBucketTagging replaces a bucket's tags.
func (s *Service) PutBucketTagging(ctx context.Context, bucket string, tags []Tag) error {
	if err := validateTags(tags); err != nil {
		return err
	}
	return s.updateBucket(bucket, func(b *bucketRecord) error { b.Tags = append([]Tag{}, tags...); return nil })
}

// GetBucketTagging returns a bucket's tags.
func (s *Service) GetBucketTagging(ctx context.Context, bucket string) ([]Tag, error) {
	var out []Tag
	err := s.viewBucket(bucket, func(b *bucketRecord) error {
		if out = b.Tags; out == nil {
			return s3Error("NoSuchTagSet", http.StatusNotFound, "The TagSet does not exist")
		}
		return nil
	})
	return out, err
}

// DeleteBucketTagging removes a bucket's tags.
func (s *Service) DeleteBucketTagging(ctx context.Context, bucket string) error {
	return s.updateBucket(bucket, func(b *bucketRecord) error { b.Tags = nil; return nil })
}

// PutBucketOwnershipControls sets a bucket's object ownership.
func (s *Service) PutBucketOwnershipControls(ctx context.Context, bucket string, c *OwnershipControls) error {
	if err := c.validate(); err != nil {
		return err
	}
	return s.updateBucket(bucket, func(b *bucketRecord) error { b.OwnershipControls = c; return nil })
}

// GetBucketOwnershipControls returns a bucket's object ownership
// (BucketOwnerEnforced for a new bucket, as S3 sets it).
func (s *Service) GetBucketOwnershipControls(ctx context.Context, bucket string) (*OwnershipControls, error) {
	var out *OwnershipControls
	err := s.viewBucket(bucket, func(b *bucketRecord) error {
		if out = b.OwnershipControls; out == nil {
			return s3Error("OwnershipControlsNotFoundError", http.StatusNotFound, "The bucket ownership controls were not found")
		}
		return nil
	})
	return out, err
}

// DeleteBucketOwnershipControls removes a bucket's object ownership.
func (s *Service) DeleteBucketOwnershipControls(ctx context.Context, bucket string) error {
	return s.updateBucket(bucket, func(b *bucketRecord) error { b.OwnershipControls = nil; return nil })
}
