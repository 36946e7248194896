package objects

import (
	"context"
	"encoding/xml"
	"net/http"
)

// bucketConfigs serve the bucket configuration sub-resources this package
// implements, by query name.
var bucketConfigs = map[string]func(*Service, http.ResponseWriter, *http.Request, string) error{
	"encryption": configDocument((*Service).GetBucketEncryption, (*Service).PutBucketEncryption, (*Service).DeleteBucketEncryption,
		func(c *ServerSideEncryptionConfiguration) *string { return &c.Xmlns }),
	"publicAccessBlock": configDocument((*Service).GetPublicAccessBlock, (*Service).PutPublicAccessBlock, (*Service).DeletePublicAccessBlock,
		func(c *PublicAccessBlockConfiguration) *string { return &c.Xmlns }),
	"notification": configDocument((*Service).GetBucketNotificationConfiguration, (*Service).PutBucketNotificationConfiguration, nil,
		func(c *NotificationConfiguration) *string { return &c.Xmlns }),
	"lifecycle": configDocument((*Service).GetBucketLifecycleConfiguration, (*Service).PutBucketLifecycleConfiguration, (*Service).DeleteBucketLifecycle,
		func(c *LifecycleConfiguration) *string { return &c.Xmlns }),
	"versioning": configDocument((*Service).GetBucketVersioning, (*Service).PutBucketVersioning, nil,
		func(c *VersioningConfiguration) *string { return &c.Xmlns }),
	"ownershipControls": configDocument((*Service).GetBucketOwnershipControls, (*Service).PutBucketOwnershipControls, (*Service).DeleteBucketOwnershipControls,
		func(c *OwnershipControls) *string { return &c.Xmlns }),
	"policy":   servePolicy,
	"tagging":  serveTagging,
	"location": serveLocation,
}

// configDocument serves a bucket configuration that is one XML document:
// GET answers it (in S3's namespace), PUT replaces it, DELETE removes it
// where S3 has that operation (del not nil).
func configDocument[T any](get func(*Service, context.Context, string) (*T, error), put func(*Service, context.Context, string, *T) error,
	del func(*Service, context.Context, string) error, ns func(*T) *string) func(*Service, http.ResponseWriter, *http.Request, string) error {
	return func(s *Service, w http.ResponseWriter, r *http.Request, bucket string) error {
		ctx := r.Context()
		switch r.Method {
		case http.MethodGet:
			c, err := get(s, ctx, bucket)
			if err != nil {
				return err
			}
			out := *c
			*ns(&out) = xmlns
			return writeXML(w, http.StatusOK, &out)
		case http.MethodPut:
			var c T
			if err := decodeBody(r, &c); err != nil {
				return err
			}
			if err := put(s, ctx, bucket, &c); err != nil {
				return err
			}
			return okEmpty(w)
		case http.MethodDelete:
			if del == nil {
				break
			}
			if err := del(s, ctx, bucket); err != nil {
				return err
			}
			return noContent(w)
		}
		return methodNotAllowed()
	}
}

// decodeBody reads a configuration request's body (checksums verified)
// into v.
func decodeBody(r *http.Request, v any) error {
	body, err := readPayload(r)
	if err != nil {
		return err
	}
	if err := xml.Unmarshal(body, v); err != nil {
		return malformedXML()
	}
	return nil
}

func servePolicy(s *Service, w http.ResponseWriter, r *http.Request, bucket string) error {
	ctx := r.Context()
	switch r.Method {
	case http.MethodGet:
		p, err := s.GetBucketPolicy(ctx, bucket)
		if err != nil {
			return err
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, err = w.Write([]byte(p))
		return err
	case http.MethodPut:
		body, err := readPayload(r)
		if err != nil {
			return err
		}
		if err := s.PutBucketPolicy(ctx, bucket, string(body)); err != nil {
			return err
		}
		return noContent(w)
	case http.MethodDelete:
		if err := s.DeleteBucketPolicy(ctx, bucket); err != nil {
			return err
		}
		return noContent(w)
	}
	return methodNotAllowed()
}

func serveTagging(s *Service, w http.ResponseWriter, r *http.Request, bucket string) error {
	ctx := r.Context()
	switch r.Method {
	case http.MethodGet:
		tags, err := s.GetBucketTagging(ctx, bucket)
		if err != nil {
			return err
		}
		return writeXML(w, http.StatusOK, &Tagging{Xmlns: xmlns, TagSet: sortedTags(tags)})
	case http.MethodPut:
		var t Tagging
		if err := decodeBody(r, &t); err != nil {
			return err
		}
		if err := s.PutBucketTagging(ctx, bucket, t.TagSet); err != nil {
			return err
		}
		return noContent(w)
	case http.MethodDelete:
		if err := s.DeleteBucketTagging(ctx, bucket); err != nil {
			return err
		}
		return noContent(w)
	}
	return methodNotAllowed()
}

func serveLocation(s *Service, w http.ResponseWriter, r *http.Request, bucket string) error {
	if r.Method != http.MethodGet {
		return methodNotAllowed()
	}
	region, err := s.BucketRegion(r.Context(), bucket)
	if err != nil {
		return err
	}
	if region == "us-east-1" {
		region = "" // S3 answers us-east-1 with an empty constraint
	}
	return writeXML(w, http.StatusOK, &struct {
		XMLName    xml.Name `xml:"LocationConstraint"`
		Xmlns      string   `xml:"xmlns,attr"`
		Constraint string   `xml:",chardata"`
	}{Xmlns: xmlns, Constraint: region})
}
