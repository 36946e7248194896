package objects

import (
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// bucketRecord is one bucket with its configuration sub-resources.
type bucketRecord struct {
	Name    string
	Region  string
	Created time.Time

	Versioning VersioningConfiguration

	Encryption        *ServerSideEncryptionConfiguration
	PublicAccessBlock *PublicAccessBlockConfiguration
	Notification      *NotificationConfiguration
	Lifecycle         *LifecycleConfiguration
	Policy            string
	Tags              []Tag
	OwnershipControls *OwnershipControls
}

func (b *bucketRecord) eventBridge() bool {
	return b.Notification != nil && b.Notification.EventBridgeConfiguration != nil
}

// objectRecord is one version of an object (or a delete marker).
type objectRecord struct {
	Key string
	// VersionID is empty for the null version.
	VersionID    string `json:",omitempty"`
	Seq          uint64
	DeleteMarker bool `json:",omitempty"`
	Size         int64
	// ETag is quoted, as S3 gives it: "<md5>" or "<md5 of md5s>-<parts>".
	ETag         string
	LastModified time.Time
	// Meta holds the headers the object is served with (Content-Type,
	// X-Amz-Meta-*, ...), canonical names.
	Meta map[string]string `json:",omitempty"`
	// Checksums are the full-object checksums by header name
	// (X-Amz-Checksum-Crc32), base64.
	Checksums map[string]string `json:",omitempty"`
	Data      string            `json:",omitempty"`
}

func (o *objectRecord) versionIDOrNull() string {
	if o.VersionID == "" {
		return "null"
	}
	return o.VersionID
}

func objectKey(bucket, key string) string { return bucket + "/" + key }

func versionKey(bucket, key, versionID string) string {
	if versionID == "" {
		versionID = "null"
	}
	return bucket + "/" + key + "\x00" + versionID
}

func etagOf(body []byte) string {
	sum := md5.Sum(body)
	return `"` + hex.EncodeToString(sum[:]) + `"`
}

func getBucket(tx *localcloud.Tx, name string) (*bucketRecord, error) {
	var b bucketRecord
	found, err := tx.Get(tableBuckets, name, &b)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, noSuchBucket(name)
	}
	return &b, nil
}

func getCurrent(tx *localcloud.Tx, bucket, key string) (*objectRecord, bool, error) {
	var o objectRecord
	found, err := tx.Get(tableObjects, objectKey(bucket, key), &o)
	if err != nil || !found {
		return nil, false, err
	}
	return &o, true, nil
}

// getVersion finds one version of bucket/key, current or not; versionID
// "" or "null" names the null version.
func getVersion(tx *localcloud.Tx, bucket, key, versionID string) (*objectRecord, bool, error) {
	if versionID == "null" {
		versionID = ""
	}
	cur, found, err := getCurrent(tx, bucket, key)
	if err != nil {
		return nil, false, err
	}
	if found && cur.VersionID == versionID {
		return cur, true, nil
	}
	var o objectRecord
	found, err = tx.Get(tableVersions, versionKey(bucket, key, versionID), &o)
	if err != nil || !found {
		return nil, false, err
	}
	return &o, true, nil
}

// noncurrent lists the noncurrent versions of bucket/key, newest first.
func noncurrent(tx *localcloud.Tx, bucket, key string) ([]objectRecord, error) {
	var out []objectRecord
	err := tx.Scan(tableVersions, bucket+"/"+key+"\x00", func(_ string, raw []byte) error {
		var o objectRecord
		if err := json.Unmarshal(raw, &o); err != nil {
			return err
		}
		out = append(out, o)
		return nil
	})
	sortNewestFirst(out)
	return out, err
}

func sortNewestFirst(v []objectRecord) {
	for i := 1; i < len(v); i++ {
		for j := i; j > 0 && v[j].Seq > v[j-1].Seq; j-- {
			v[j], v[j-1] = v[j-1], v[j]
		}
	}
}

func getData(tx *localcloud.Tx, id string) ([]byte, error) {
	if id == "" {
		return []byte{}, nil
	}
	var b []byte
	found, err := tx.Get(tableData, id, &b)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, errors.New("objects: object data " + id + " is missing from the store")
	}
	if b == nil {
		b = []byte{}
	}
	return b, nil
}

func putData(tx *localcloud.Tx, body []byte) (string, error) {
	if len(body) == 0 {
		return "", nil
	}
	id := randomID(16)
	return id, tx.Put(tableData, id, body)
}

func deleteData(tx *localcloud.Tx, id string) error {
	if id == "" {
		return nil
	}
	return tx.Delete(tableData, id)
}

// dropVersion removes a version record and its data.
func dropVersion(tx *localcloud.Tx, bucket string, o *objectRecord) error {
	if err := deleteData(tx, o.Data); err != nil {
		return err
	}
	return tx.Delete(tableVersions, versionKey(bucket, o.Key, o.VersionID))
}

// retire makes the current version cur noncurrent, as versioning wants:
// kept under its version id, except that a null version is replaced when
// replaceNull (a write to a suspended bucket replaces the null version).
func retire(tx *localcloud.Tx, bucket string, cur *objectRecord, replaceNull bool) error {
	if cur.VersionID == "" && replaceNull {
		return deleteData(tx, cur.Data)
	}
	return tx.Put(tableVersions, versionKey(bucket, cur.Key, cur.VersionID), cur)
}

// putConditions are the If-Match / If-None-Match of a conditional write.
type putConditions struct{ ifMatch, ifNoneMatch string }

// putObject writes a new current version of bucket/key with body, the
// meta and checksums it is served with and its etag.
func (s *Service) putObject(bucket, key string, meta, checksums map[string]string, body []byte, etag string, cond *putConditions, reason string, req *requestInfo) (*objectRecord, error) {
	var rec *objectRecord
	var ev *ObjectCreated
	err := s.store.Update(func(tx *localcloud.Tx) error {
		var err error
		rec, ev, err = s.putObjectTx(tx, bucket, key, meta, checksums, body, etag, cond, reason, req)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.emit(ev)
	return rec, nil
}

// putObjectTx is putObject inside a transaction; it returns the event to
// emit once the transaction is committed.
func (s *Service) putObjectTx(tx *localcloud.Tx, bucket, key string, meta, checksums map[string]string, body []byte, etag string, cond *putConditions, reason string, req *requestInfo) (*objectRecord, *ObjectCreated, error) {
	now := time.Now().UTC()
	rec := &objectRecord{Key: key, Seq: s.nextSeq(), Size: int64(len(body)), ETag: etag, LastModified: now, Meta: map[string]string{}, Checksums: checksums}
	for k, v := range meta {
		rec.Meta[k] = v
	}
	b, err := getBucket(tx, bucket)
	if err != nil {
		return nil, nil, err
	}
	cur, exists, err := getCurrent(tx, bucket, key)
	if err != nil {
		return nil, nil, err
	}
	if err := cond.check(cur, exists); err != nil {
		return nil, nil, err
	}
	applyBucketEncryption(b, rec.Meta)
	if rec.Data, err = putData(tx, body); err != nil {
		return nil, nil, err
	}
	if err := s.replaceCurrent(tx, b, rec, cur, exists); err != nil {
		return nil, nil, err
	}
	var ev *ObjectCreated
	if b.eventBridge() {
		ev = &ObjectCreated{Bucket: bucket, Key: key, Size: rec.Size, ETag: strings.Trim(rec.ETag, `"`), VersionID: rec.VersionID,
			Sequencer: sequencer(rec.Seq), Reason: reason, Requester: localcloud.Account, Time: now}
		if req != nil {
			ev.SourceIP = req.sourceIP
		}
	}
	return rec, ev, nil
}

// replaceCurrent makes rec the current version of its key, retiring or
// dropping cur as the bucket's versioning state says, and gives rec its
// version id.
func (s *Service) replaceCurrent(tx *localcloud.Tx, b *bucketRecord, rec, cur *objectRecord, exists bool) error {
	switch b.Versioning.Status {
	case "Enabled":
		rec.VersionID = newVersionID()
		if exists {
			if err := retire(tx, b.Name, cur, false); err != nil {
				return err
			}
		}
	case "Suspended":
		rec.VersionID = ""
		if exists {
			if err := retire(tx, b.Name, cur, true); err != nil {
				return err
			}
		}
		var old objectRecord
		found, err := tx.Get(tableVersions, versionKey(b.Name, rec.Key, ""), &old)
		if err != nil {
			return err
		}
		if found {
			if err := dropVersion(tx, b.Name, &old); err != nil {
				return err
			}
		}
	default:
		rec.VersionID = ""
		if exists {
			if err := deleteData(tx, cur.Data); err != nil {
				return err
			}
		}
	}
	return tx.Put(tableObjects, objectKey(b.Name, rec.Key), rec)
}

func (c *putConditions) check(cur *objectRecord, exists bool) error {
	if c == nil {
		return nil
	}
	live := exists && !cur.DeleteMarker
	if c.ifNoneMatch == "*" && live {
		return s3Error("PreconditionFailed", http.StatusPreconditionFailed, "At least one of the pre-conditions you specified did not hold")
	}
	if c.ifMatch != "" {
		if !live {
			return noSuchKey(cur.keyOrEmpty())
		}
		if strings.Trim(c.ifMatch, `"`) != strings.Trim(cur.ETag, `"`) && c.ifMatch != "*" {
			return s3Error("PreconditionFailed", http.StatusPreconditionFailed, "At least one of the pre-conditions you specified did not hold")
		}
	}
	return nil
}

func (o *objectRecord) keyOrEmpty() string {
	if o == nil {
		return ""
	}
	return o.Key
}

// deleteObject deletes bucket/key as DeleteObject does: removed in an
// unversioned bucket, hidden behind a delete marker in a versioned one.
func (s *Service) deleteObject(bucket, key string) (marker bool, versionID string, err error) {
	err = s.store.Update(func(tx *localcloud.Tx) error {
		b, err := getBucket(tx, bucket)
		if err != nil {
			return err
		}
		cur, exists, err := getCurrent(tx, bucket, key)
		if err != nil {
			return err
		}
		if b.Versioning.Status == "" {
			if !exists {
				return nil
			}
			if err := deleteData(tx, cur.Data); err != nil {
				return err
			}
			return tx.Delete(tableObjects, objectKey(bucket, key))
		}
		dm := &objectRecord{Key: key, Seq: s.nextSeq(), DeleteMarker: true, LastModified: time.Now().UTC()}
		if err := s.replaceCurrent(tx, b, dm, cur, exists); err != nil {
			return err
		}
		marker, versionID = true, dm.versionIDOrNull()
		return nil
	})
	return marker, versionID, err
}

// deleteVersion removes one version for good; when it was the current
// one, the newest noncurrent version becomes current.
func (s *Service) deleteVersion(bucket, key, versionID string) (marker bool, err error) {
	if versionID == "null" {
		versionID = ""
	}
	err = s.store.Update(func(tx *localcloud.Tx) error {
		if _, err := getBucket(tx, bucket); err != nil {
			return err
		}
		cur, exists, err := getCurrent(tx, bucket, key)
		if err != nil {
			return err
		}
		if exists && cur.VersionID == versionID {
			marker = cur.DeleteMarker
			if err := deleteData(tx, cur.Data); err != nil {
				return err
			}
			if err := tx.Delete(tableObjects, objectKey(bucket, key)); err != nil {
				return err
			}
			older, err := noncurrent(tx, bucket, key)
			if err != nil || len(older) == 0 {
				return err
			}
			next := older[0]
			if err := tx.Delete(tableVersions, versionKey(bucket, key, next.VersionID)); err != nil {
				return err
			}
			return tx.Put(tableObjects, objectKey(bucket, key), &next)
		}
		var old objectRecord
		found, err := tx.Get(tableVersions, versionKey(bucket, key, versionID), &old)
		if err != nil || !found {
			return err
		}
		marker = old.DeleteMarker
		return dropVersion(tx, bucket, &old)
	})
	return marker, err
}

func sequencer(seq uint64) string {
	const digits = "0123456789ABCDEF"
	b := make([]byte, 16)
	for i := 15; i >= 0; i-- {
		b[i] = digits[seq&0xf]
		seq >>= 4
	}
	return string(b) + "00"
}

func newVersionID() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._"
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
