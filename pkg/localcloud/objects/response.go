package objects

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// responseFilter adjusts gofakes3's answers where S3 answers otherwise:
// statuses of errors gofakes3 does not know, multipart ETags, the
// version headers of a copy, checksums only when asked for.
type responseFilter struct {
	http.ResponseWriter
	r     *http.Request
	info  *requestInfo
	wrote bool
}

func (f *responseFilter) WriteHeader(code int) {
	if f.wrote {
		return
	}
	f.wrote = true
	h := f.Header()
	for _, k := range []string{"Access-Control-Allow-Origin", "Access-Control-Allow-Methods", "Access-Control-Allow-Headers", "Access-Control-Expose-Headers"} {
		h.Del(k) // gofakes3 allows every origin; S3 without a CORS configuration allows none
	}
	if code >= 400 && f.info.errStatus != 0 {
		code = f.info.errStatus
	}
	if code < 300 && f.info.etag != "" && (f.r.Method == http.MethodGet || f.r.Method == http.MethodHead) {
		h.Set("ETag", f.info.etag)
	}
	if code < 300 {
		for k, v := range f.info.extra {
			h.Set(k, v)
		}
	}
	if f.r.Method == http.MethodPut && f.r.Header.Get("X-Amz-Copy-Source") != "" {
		h.Del("x-amz-version-id")
		h.Del("x-amz-copy-source-version-id")
		if f.info.versionID != "" {
			h.Set("x-amz-version-id", f.info.versionID)
		}
		if f.info.srcVersionID != "" {
			h.Set("x-amz-copy-source-version-id", f.info.srcVersionID)
		}
	}
	if f.r.Method == http.MethodGet || f.r.Method == http.MethodHead {
		drop := !strings.EqualFold(f.r.Header.Get("X-Amz-Checksum-Mode"), "ENABLED") || f.r.Header.Get("Range") != "" || code == http.StatusPartialContent
		found := false
		for k := range h {
			if strings.HasPrefix(k, "X-Amz-Checksum-") {
				if drop {
					h.Del(k)
				} else {
					found = true
				}
			}
		}
		if found {
			h.Set("x-amz-checksum-type", "FULL_OBJECT")
		}
	}
	f.ResponseWriter.WriteHeader(code)
}

func (f *responseFilter) Write(b []byte) (int, error) {
	if !f.wrote {
		f.WriteHeader(http.StatusOK)
	}
	return f.ResponseWriter.Write(b)
}

// errAnswered means the request has been answered (304 Not Modified).
var errAnswered = errors.New("answered")

// checkReadConditions applies a GET or HEAD's If-Match, If-None-Match,
// If-Modified-Since and If-Unmodified-Since as S3 does, then hides them
// from gofakes3 (which knows only some).
func (s *Service) checkReadConditions(w http.ResponseWriter, r *http.Request, bucket, key string) error {
	ifMatch, ifNoneMatch := r.Header.Get("If-Match"), r.Header.Get("If-None-Match")
	ims, ius := r.Header.Get("If-Modified-Since"), r.Header.Get("If-Unmodified-Since")
	if ifMatch == "" && ifNoneMatch == "" && ims == "" && ius == "" {
		return nil
	}
	for _, h := range []string{"If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since"} {
		r.Header.Del(h)
	}
	var rec *objectRecord
	err := s.store.View(func(tx *localcloud.Tx) error {
		var err error
		var found bool
		if v := r.URL.Query().Get("versionId"); v != "" {
			rec, found, err = getVersion(tx, bucket, key, v)
		} else {
			rec, found, err = getCurrent(tx, bucket, key)
		}
		if !found {
			rec = nil
		}
		return err
	})
	if err != nil || rec == nil || rec.DeleteMarker {
		return err // gofakes3 answers the missing object
	}
	matches := func(list string) bool {
		for _, e := range strings.Split(list, ",") {
			if e = strings.TrimSpace(e); e == "*" || strings.Trim(e, `"`) == strings.Trim(rec.ETag, `"`) {
				return true
			}
		}
		return false
	}
	modified := rec.LastModified.Truncate(time.Second)
	failed := s3Error("PreconditionFailed", http.StatusPreconditionFailed, "At least one of the pre-conditions you specified did not hold")
	if ifMatch != "" {
		if !matches(ifMatch) {
			return failed
		}
	} else if t, err := http.ParseTime(ius); err == nil && modified.After(t) {
		return failed
	}
	notModified := false
	if ifNoneMatch != "" {
		notModified = matches(ifNoneMatch)
	} else if t, err := http.ParseTime(ims); err == nil && !modified.After(t) {
		notModified = true
	}
	if notModified {
		w.Header().Set("ETag", rec.ETag)
		w.Header().Set("Last-Modified", rec.LastModified.Format(http.TimeFormat))
		w.WriteHeader(http.StatusNotModified)
		return errAnswered
	}
	return nil
}
