package objects

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/johannesboyne/gofakes3"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// minPartSize is S3's smallest part but the last: 5 MiB.
const minPartSize = 5 << 20

// uploadRecord is one multipart upload in progress; its parts' bodies
// are in the data table.
type uploadRecord struct {
	Bucket, Key, UploadID string
	Meta                  map[string]string `json:",omitempty"`
	Initiated             time.Time
	Parts                 map[string]partRecord `json:",omitempty"` // by part number
}

type partRecord struct {
	Number       int
	ETag         string
	Size         int64
	LastModified time.Time
	Data         string `json:",omitempty"`
}

func uploadKey(bucket, id string) string { return bucket + "/" + id }

func dropUpload(tx *localcloud.Tx, u *uploadRecord) error {
	for _, p := range u.Parts {
		if err := deleteData(tx, p.Data); err != nil {
			return err
		}
	}
	return tx.Delete(tableUploads, uploadKey(u.Bucket, u.UploadID))
}

func getUpload(tx *localcloud.Tx, bucket, key, id string) (*uploadRecord, error) {
	if _, err := getBucket(tx, bucket); err != nil {
		return nil, err
	}
	var u uploadRecord
	found, err := tx.Get(tableUploads, uploadKey(bucket, id), &u)
	if err != nil {
		return nil, err
	}
	if !found || u.Key != key {
		return nil, noSuchUpload()
	}
	return &u, nil
}

func (u *uploadRecord) sortedParts() []partRecord {
	out := make([]partRecord, 0, len(u.Parts))
	for _, p := range u.Parts {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Number < out[j].Number })
	return out
}

func (b *backend) CreateMultipartUpload(bucket, key string, meta map[string]string) (gofakes3.UploadID, error) {
	m, _, err := b.objectMeta(meta)
	if err != nil {
		return "", b.conv(err)
	}
	u := &uploadRecord{Bucket: bucket, Key: key, UploadID: newVersionID() + randomID(8), Meta: m, Initiated: time.Now().UTC()}
	err = b.s.store.Update(func(tx *localcloud.Tx) error {
		if _, err := getBucket(tx, bucket); err != nil {
			return err
		}
		return tx.Put(tableUploads, uploadKey(bucket, u.UploadID), u)
	})
	return gofakes3.UploadID(u.UploadID), b.conv(err)
}

func (b *backend) UploadPart(bucket, key string, id gofakes3.UploadID, partNumber int, contentLength int64, input io.Reader) (string, error) {
	if partNumber < 1 || partNumber > gofakes3.MaxUploadPartNumber {
		return "", b.conv(s3Error("InvalidArgument", http.StatusBadRequest, "Part number must be an integer between 1 and 10000, inclusive"))
	}
	body, err := io.ReadAll(input)
	if err != nil {
		return "", err
	}
	if int64(len(body)) != contentLength {
		return "", b.conv(s3Error("IncompleteBody", http.StatusBadRequest, "You did not provide the number of bytes specified by the Content-Length HTTP header"))
	}
	etag := etagOf(body)
	err = b.s.store.Update(func(tx *localcloud.Tx) error {
		u, err := getUpload(tx, bucket, key, string(id))
		if err != nil {
			return err
		}
		if u.Parts == nil {
			u.Parts = map[string]partRecord{}
		}
		n := strconv.Itoa(partNumber)
		if old, ok := u.Parts[n]; ok {
			if err := deleteData(tx, old.Data); err != nil {
				return err
			}
		}
		data, err := putData(tx, body)
		if err != nil {
			return err
		}
		u.Parts[n] = partRecord{Number: partNumber, ETag: etag, Size: int64(len(body)), LastModified: time.Now().UTC(), Data: data}
		return tx.Put(tableUploads, uploadKey(bucket, u.UploadID), u)
	})
	if err != nil {
		return "", b.conv(err)
	}
	return etag, nil
}

func (b *backend) ListMultipartUploads(bucket string, marker *gofakes3.UploadListMarker, prefix gofakes3.Prefix, limit int64) (*gofakes3.ListMultipartUploadsResult, error) {
	var ups []uploadRecord
	err := b.s.store.View(func(tx *localcloud.Tx) error {
		if _, err := getBucket(tx, bucket); err != nil {
			return err
		}
		return tx.Scan(tableUploads, bucket+"/", func(_ string, raw []byte) error {
			var u uploadRecord
			if err := json.Unmarshal(raw, &u); err != nil {
				return err
			}
			u.Parts = nil
			ups = append(ups, u)
			return nil
		})
	})
	if err != nil {
		return nil, b.conv(err)
	}
	sort.Slice(ups, func(i, j int) bool {
		if ups[i].Key != ups[j].Key {
			return ups[i].Key < ups[j].Key
		}
		return ups[i].Initiated.Before(ups[j].Initiated)
	})
	out := &gofakes3.ListMultipartUploadsResult{Bucket: bucket, Delimiter: prefix.Delimiter, Prefix: prefix.Prefix, MaxUploads: limit}
	started := marker == nil
	if marker != nil {
		out.KeyMarker, out.UploadIDMarker = marker.Object, marker.UploadID
	}
	var match gofakes3.PrefixMatch
	var count int64
	var last uploadRecord
	for _, u := range ups {
		if !started {
			if u.Key < marker.Object || (u.Key == marker.Object && marker.UploadID == "") {
				continue
			}
			if u.Key == marker.Object {
				if u.UploadID == string(marker.UploadID) {
					started = true
				}
				continue
			}
			started = true
		}
		if !prefix.Match(u.Key, &match) {
			continue
		}
		if count >= limit {
			out.IsTruncated = true
			out.NextKeyMarker, out.NextUploadIDMarker = last.Key, gofakes3.UploadID(last.UploadID)
			break
		}
		if match.CommonPrefix {
			seen := false
			for _, p := range out.CommonPrefixes {
				seen = seen || p.Prefix == match.MatchedPart
			}
			if !seen {
				out.CommonPrefixes = append(out.CommonPrefixes, gofakes3.CommonPrefix{Prefix: match.MatchedPart})
				count++
			}
			continue
		}
		owner := &gofakes3.UserInfo{ID: ownerID, DisplayName: "local"}
		out.Uploads = append(out.Uploads, gofakes3.ListMultipartUploadItem{Key: u.Key, UploadID: gofakes3.UploadID(u.UploadID),
			Initiator: owner, Owner: owner, StorageClass: gofakes3.StorageStandard, Initiated: gofakes3.NewContentTime(u.Initiated)})
		last = u
		count++
	}
	return out, nil
}

func (b *backend) ListParts(bucket, key string, id gofakes3.UploadID, marker int, limit int64) (*gofakes3.ListMultipartUploadPartsResult, error) {
	var u *uploadRecord
	err := b.s.store.View(func(tx *localcloud.Tx) error {
		var err error
		u, err = getUpload(tx, bucket, key, string(id))
		return err
	})
	if err != nil {
		return nil, b.conv(err)
	}
	owner := &gofakes3.UserInfo{ID: ownerID, DisplayName: "local"}
	out := &gofakes3.ListMultipartUploadPartsResult{Bucket: bucket, Key: key, UploadID: id, StorageClass: gofakes3.StorageStandard,
		Initiator: owner, Owner: owner, PartNumberMarker: marker, MaxParts: limit}
	var count int64
	for _, p := range u.sortedParts() {
		if p.Number <= marker {
			continue
		}
		if count >= limit {
			out.IsTruncated = true
			break
		}
		out.Parts = append(out.Parts, gofakes3.ListMultipartUploadPartItem{PartNumber: p.Number, LastModified: gofakes3.NewContentTime(p.LastModified), ETag: p.ETag, Size: p.Size})
		out.NextPartNumberMarker = p.Number
		count++
	}
	return out, nil
}

func (b *backend) AbortMultipartUpload(bucket, key string, id gofakes3.UploadID) error {
	return b.conv(b.s.store.Update(func(tx *localcloud.Tx) error {
		u, err := getUpload(tx, bucket, key, string(id))
		if err != nil {
			return err
		}
		return dropUpload(tx, u)
	}))
}

// CompleteMultipartUpload joins the listed parts into the object, as S3
// does: parts in ascending order, each one uploaded with that ETag, all
// but the last at least 5 MiB.
func (b *backend) CompleteMultipartUpload(bucket, key string, id gofakes3.UploadID, req *gofakes3.CompleteMultipartUploadRequest) (gofakes3.VersionID, string, error) {
	if len(req.Parts) == 0 {
		return "", "", b.conv(s3Error("MalformedXML", http.StatusBadRequest, "The XML you provided was not well-formed or did not validate against our published schema"))
	}
	var (
		rec *objectRecord
		ev  *ObjectCreated
	)
	err := b.s.store.Update(func(tx *localcloud.Tx) error {
		u, err := getUpload(tx, bucket, key, string(id))
		if err != nil {
			return err
		}
		last := 0
		for _, in := range req.Parts {
			if in.PartNumber <= last {
				return s3Error("InvalidPartOrder", http.StatusBadRequest, "The list of parts was not in ascending order. The parts list must be specified in order by part number.")
			}
			last = in.PartNumber
		}
		for i, in := range req.Parts {
			p, ok := u.Parts[strconv.Itoa(in.PartNumber)]
			if !ok || strings.Trim(in.ETag, `"`) != strings.Trim(p.ETag, `"`) {
				return s3Error("InvalidPart", http.StatusBadRequest, "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.")
			}
			if i < len(req.Parts)-1 && p.Size < minPartSize {
				return s3Error("EntityTooSmall", http.StatusBadRequest, "Your proposed upload is smaller than the minimum allowed size")
			}
		}
		var body []byte
		etagHash := md5.New()
		for _, in := range req.Parts {
			p := u.Parts[strconv.Itoa(in.PartNumber)]
			data, err := getData(tx, p.Data)
			if err != nil {
				return err
			}
			body = append(body, data...)
			sum, _ := hex.DecodeString(strings.Trim(p.ETag, `"`))
			etagHash.Write(sum)
		}
		if err := dropUpload(tx, u); err != nil {
			return err
		}
		etag := fmt.Sprintf(`"%s-%d"`, hex.EncodeToString(etagHash.Sum(nil)), len(req.Parts))
		rec, ev, err = b.s.putObjectTx(tx, bucket, key, u.Meta, nil, body, etag, nil, "CompleteMultipartUpload", b.req)
		return err
	})
	if err != nil {
		return "", "", b.conv(err)
	}
	b.s.emit(ev)
	b.req.answerWith(rec)
	etag := rec.ETag
	return gofakes3.VersionID(rec.VersionID), etag, nil
}
