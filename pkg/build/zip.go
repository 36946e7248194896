package build

import (
	"archive/zip"
	"compress/flate"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// zipTime is the modification time of every zip entry: fixed, so the same
// binary always gives the same zip bytes.
var zipTime = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// Zip writes a Lambda deployment package at dst holding one entry,
// "bootstrap", executable, with a fixed timestamp. The file is replaced
// atomically.
func Zip(bootstrap, dst string) (err error) {
	src, err := os.Open(bootstrap)
	if err != nil {
		return fmt.Errorf("zip: %w", err)
	}
	defer src.Close()
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".zip-*")
	if err != nil {
		return fmt.Errorf("zip: %w", err)
	}
	defer func() {
		if err != nil {
			_ = os.Remove(tmp.Name())
		}
	}()
	zw := zip.NewWriter(tmp)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestCompression)
	})
	hdr := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate, Modified: zipTime}
	hdr.SetMode(0o755)
	w, err := zw.CreateHeader(hdr)
	if err != nil {
		return fmt.Errorf("zip: %w", err)
	}
	if _, err := io.Copy(w, src); err != nil {
		return fmt.Errorf("zip: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("zip: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("zip: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("zip: %w", err)
	}
	return os.Rename(tmp.Name(), dst)
}
