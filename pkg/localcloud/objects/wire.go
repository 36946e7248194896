package objects

import (
	"encoding/base64"
	"encoding/xml"
	"errors"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// writeError answers err in S3's error XML (no body for HEAD).
func writeError(w http.ResponseWriter, r *http.Request, err error, bucket, key string) {
	var e *localcloud.Error
	if !errors.As(err, &e) {
		e = &localcloud.Error{Code: "InternalError", Status: http.StatusInternalServerError, Message: "We encountered an internal error. Please try again."}
	}
	status := e.Status
	if status == 0 {
		status = http.StatusBadRequest
	}
	id := strings.ToUpper(randomID(8))
	w.Header().Set("x-amz-request-id", id)
	w.Header().Set("x-amz-id-2", base64.StdEncoding.EncodeToString([]byte(randomID(24))))
	if r.Method == http.MethodHead {
		w.WriteHeader(status)
		return
	}
	body := struct {
		XMLName    xml.Name `xml:"Error"`
		Code       string
		Message    string
		BucketName string `xml:",omitempty"`
		Key        string `xml:",omitempty"`
		RequestID  string `xml:"RequestId"`
	}{Code: e.Code, Message: e.Message, RequestID: id}
	switch e.Code {
	case "NoSuchBucket", "BucketNotEmpty", "BucketAlreadyOwnedByYou", "NoSuchBucketPolicy", "NoSuchTagSet",
		"NoSuchLifecycleConfiguration", "NoSuchPublicAccessBlockConfiguration", "OwnershipControlsNotFoundError":
		body.BucketName = bucket
	case "NoSuchKey":
		body.Key = key
	}
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(xml.Header))
	_ = xml.NewEncoder(w).Encode(body)
}

func writeXML(w http.ResponseWriter, status int, v any) error {
	out, err := xml.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("x-amz-request-id", strings.ToUpper(randomID(8)))
	w.WriteHeader(status)
	_, _ = w.Write([]byte(xml.Header))
	_, err = w.Write(out)
	return err
}

func noContent(w http.ResponseWriter) error {
	w.Header().Set("x-amz-request-id", strings.ToUpper(randomID(8)))
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func okEmpty(w http.ResponseWriter) error {
	w.Header().Set("x-amz-request-id", strings.ToUpper(randomID(8)))
	w.WriteHeader(http.StatusOK)
	return nil
}

func methodNotAllowed() error {
	return s3Error("MethodNotAllowed", http.StatusMethodNotAllowed, "The specified method is not allowed against this resource.")
}

func (s *Service) serveListBuckets(w http.ResponseWriter, r *http.Request) error {
	all, err := s.ListBuckets(r.Context())
	if err != nil {
		return err
	}
	q := r.URL.Query()
	prefix, token := q.Get("prefix"), q.Get("continuation-token")
	max := 10000
	if v := q.Get("max-buckets"); v != "" {
		if max, err = strconv.Atoi(v); err != nil || max < 1 || max > 10000 {
			return s3Error("InvalidArgument", http.StatusBadRequest, "Argument max-buckets must be an integer between 1 and 10000.")
		}
	}
	type bucket struct {
		Name         string
		CreationDate string
		BucketRegion string
	}
	out := struct {
		XMLName           xml.Name `xml:"ListAllMyBucketsResult"`
		Xmlns             string   `xml:"xmlns,attr"`
		Owner             struct{ ID, DisplayName string }
		Buckets           []bucket `xml:"Buckets>Bucket"`
		ContinuationToken string   `xml:",omitempty"`
		Prefix            string   `xml:",omitempty"`
	}{Xmlns: xmlns, Prefix: prefix}
	out.Owner.ID, out.Owner.DisplayName = ownerID, "local"
	for i, b := range all {
		if !strings.HasPrefix(b.Name, prefix) || (token != "" && b.Name <= token) {
			continue
		}
		if len(out.Buckets) == max {
			if i > 0 {
				out.ContinuationToken = out.Buckets[len(out.Buckets)-1].Name
			}
			break
		}
		out.Buckets = append(out.Buckets, bucket{Name: b.Name, CreationDate: b.Created.UTC().Format("2006-01-02T15:04:05.000Z"), BucketRegion: b.Region})
	}
	return writeXML(w, http.StatusOK, out)
}

func (s *Service) serveCreateBucket(w http.ResponseWriter, r *http.Request, bucket string) error {
	body, err := readPayload(r)
	if err != nil {
		return err
	}
	var cfg struct {
		LocationConstraint string
	}
	if len(strings.TrimSpace(string(body))) > 0 {
		if err := xml.Unmarshal(body, &cfg); err != nil {
			return malformedXML()
		}
	}
	signing := signingRegion(r)
	switch {
	case cfg.LocationConstraint == "us-east-1":
		return s3Error("InvalidLocationConstraint", http.StatusBadRequest, "The specified location-constraint is not valid")
	case cfg.LocationConstraint == "" && signing != "us-east-1":
		return s3Error("IllegalLocationConstraintException", http.StatusBadRequest, "The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.")
	case cfg.LocationConstraint != "" && signing != cfg.LocationConstraint && signing != "us-east-1":
		return s3Error("IllegalLocationConstraintException", http.StatusBadRequest, "The %s location constraint is incompatible for the region specific endpoint this request was sent to.", cfg.LocationConstraint)
	}
	if strings.EqualFold(r.Header.Get("X-Amz-Bucket-Object-Lock-Enabled"), "true") {
		return notImplemented("CreateBucket with S3 Object Lock (x-amz-bucket-object-lock-enabled)")
	}
	ownership := r.Header.Get("X-Amz-Object-Ownership")
	if ownership != "" {
		if err := (&OwnershipControls{Rules: []OwnershipControlsRule{{ObjectOwnership: ownership}}}).validate(); err != nil {
			return s3Error("InvalidArgument", http.StatusBadRequest, "Invalid x-amz-object-ownership header: %s", ownership)
		}
	}
	if err := s.CreateBucket(r.Context(), bucket, cfg.LocationConstraint); err != nil {
		return err
	}
	if ownership != "" {
		if err := s.PutBucketOwnershipControls(r.Context(), bucket, &OwnershipControls{Rules: []OwnershipControlsRule{{ObjectOwnership: ownership}}}); err != nil {
			return err
		}
	}
	w.Header().Set("Location", "/"+bucket)
	w.Header().Set("x-amz-request-id", strings.ToUpper(randomID(8)))
	w.WriteHeader(http.StatusOK)
	return nil
}

// signingRegion is the region of the request's SigV4 credential scope.
func signingRegion(r *http.Request) string {
	cred := r.URL.Query().Get("X-Amz-Credential")
	if _, c, ok := strings.Cut(r.Header.Get("Authorization"), "Credential="); ok {
		cred, _, _ = strings.Cut(c, ",")
	}
	if parts := strings.Split(strings.TrimSpace(cred), "/"); len(parts) == 5 {
		return parts[2]
	}
	return localcloud.Region
}

// sortedTags returns tags by key, as S3 lists them.
func sortedTags(tags []Tag) []Tag {
	out := append([]Tag{}, tags...)
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}
