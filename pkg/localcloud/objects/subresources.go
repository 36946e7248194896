package objects

import (
	"encoding/xml"
	"net/http"
)

// bucketConfigs serve the bucket configuration sub-resources this package
// implements, by query name.
var bucketConfigs = map[string]func(*Service, http.ResponseWriter, *http.Request, string) error{
	"encryption":        serveEncryption,
	"publicAccessBlock": servePublicAccessBlock,
	"notification":      serveNotification,
	"lifecycle":         serveLifecycle,
	"versioning":        serveVersioning,
	"policy":            servePolicy,
	"tagging":           serveTagging,
	"location":          serveLocation,
	"ownershipControls": serveOwnershipControls,
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

func serveEncryption(s *Service, w http.ResponseWriter, r *http.Request, bucket string) error {
	ctx := r.Context()
	switch r.Method {
	case http.MethodGet:
		c, err := s.GetBucketEncryption(ctx, bucket)
		if err != nil {
			return err
		}
		out := *c
		out.Xmlns = xmlns
		return writeXML(w, http.StatusOK, &out)
	case http.MethodPut:
		var c ServerSideEncryptionConfiguration
		if err := decodeBody(r, &c); err != nil {
			return err
		}
		if err := s.PutBucketEncryption(ctx, bucket, &c); err != nil {
			return err
		}
		return okEmpty(w)
	case http.MethodDelete:
		if err := s.DeleteBucketEncryption(ctx, bucket); err != nil {
			return err
		}
		return noContent(w)
	}
	return methodNotAllowed()
}

func servePublicAccessBlock(s *Service, w http.ResponseWriter, r *http.Request, bucket string) error {
	ctx := r.Context()
	switch r.Method {
	case http.MethodGet:
		c, err := s.GetPublicAccessBlock(ctx, bucket)
		if err != nil {
			return err
		}
		out := *c
		out.Xmlns = xmlns
		return writeXML(w, http.StatusOK, &out)
	case http.MethodPut:
		var c PublicAccessBlockConfiguration
		if err := decodeBody(r, &c); err != nil {
			return err
		}
		if err := s.PutPublicAccessBlock(ctx, bucket, &c); err != nil {
			return err
		}
		return okEmpty(w)
	case http.MethodDelete:
		if err := s.DeletePublicAccessBlock(ctx, bucket); err != nil {
			return err
		}
		return noContent(w)
	}
	return methodNotAllowed()
}

func serveNotification(s *Service, w http.ResponseWriter, r *http.Request, bucket string) error {
	ctx := r.Context()
	switch r.Method {
	case http.MethodGet:
		c, err := s.GetBucketNotificationConfiguration(ctx, bucket)
		if err != nil {
			return err
		}
		out := *c
		out.Xmlns = xmlns
		return writeXML(w, http.StatusOK, &out)
	case http.MethodPut:
		var c NotificationConfiguration
		if err := decodeBody(r, &c); err != nil {
			return err
		}
		if err := s.PutBucketNotificationConfiguration(ctx, bucket, &c); err != nil {
			return err
		}
		return okEmpty(w)
	}
	return methodNotAllowed()
}

func serveLifecycle(s *Service, w http.ResponseWriter, r *http.Request, bucket string) error {
	ctx := r.Context()
	switch r.Method {
	case http.MethodGet:
		c, err := s.GetBucketLifecycleConfiguration(ctx, bucket)
		if err != nil {
			return err
		}
		out := *c
		out.Xmlns = xmlns
		return writeXML(w, http.StatusOK, &out)
	case http.MethodPut:
		var c LifecycleConfiguration
		if err := decodeBody(r, &c); err != nil {
			return err
		}
		if err := s.PutBucketLifecycleConfiguration(ctx, bucket, &c); err != nil {
			return err
		}
		return okEmpty(w)
	case http.MethodDelete:
		if err := s.DeleteBucketLifecycle(ctx, bucket); err != nil {
			return err
		}
		return noContent(w)
	}
	return methodNotAllowed()
}

func serveVersioning(s *Service, w http.ResponseWriter, r *http.Request, bucket string) error {
	ctx := r.Context()
	switch r.Method {
	case http.MethodGet:
		c, err := s.GetBucketVersioning(ctx, bucket)
		if err != nil {
			return err
		}
		out := *c
		out.Xmlns = xmlns
		return writeXML(w, http.StatusOK, &out)
	case http.MethodPut:
		var c VersioningConfiguration
		if err := decodeBody(r, &c); err != nil {
			return err
		}
		if err := s.PutBucketVersioning(ctx, bucket, &c); err != nil {
			return err
		}
		return okEmpty(w)
	}
	return methodNotAllowed()
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

func serveOwnershipControls(s *Service, w http.ResponseWriter, r *http.Request, bucket string) error {
	ctx := r.Context()
	switch r.Method {
	case http.MethodGet:
		c, err := s.GetBucketOwnershipControls(ctx, bucket)
		if err != nil {
			return err
		}
		out := *c
		out.Xmlns = xmlns
		return writeXML(w, http.StatusOK, &out)
	case http.MethodPut:
		var c OwnershipControls
		if err := decodeBody(r, &c); err != nil {
			return err
		}
		if err := s.PutBucketOwnershipControls(ctx, bucket, &c); err != nil {
			return err
		}
		return okEmpty(w)
	case http.MethodDelete:
		if err := s.DeleteBucketOwnershipControls(ctx, bucket); err != nil {
			return err
		}
		return noContent(w)
	}
	return methodNotAllowed()
}
