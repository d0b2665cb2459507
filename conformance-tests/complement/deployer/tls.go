package deployer

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/matrix-org/complement/config"
)

// tlsMaterial is what a homeserver in a Complement container gets: Complement's CA, which signs
// the certificates of Complement's own federation servers (so the homeserver must trust it), and
// a serving certificate for its own name signed by that CA, which Cairn's federation listener
// serves (CAIRN_FEDERATION_TLS_CERT_PATH and _KEY_PATH, see server_env.go).
type tlsMaterial struct {
	caCertPath     string // PEM, Complement's CA: CAIRN_FEDERATION_CA_FILE and NODE_EXTRA_CA_CERTS
	caKeyPath      string // PEM, the CA's key, as Complement mounts it into containers
	serverCertPath string // PEM, for <hs name>, localhost and 127.0.0.1, signed by the CA
	serverKeyPath  string // PEM, PKCS#8
}

func writeTLSMaterial(dir, hsName string, cfg *config.Complement) (*tlsMaterial, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	m := &tlsMaterial{
		caCertPath:     filepath.Join(dir, "ca.crt"),
		caKeyPath:      filepath.Join(dir, "ca.key"),
		serverCertPath: filepath.Join(dir, "server.crt"),
		serverKeyPath:  filepath.Join(dir, "server.key"),
	}
	caCert, err := cfg.CACertificateBytes()
	if err != nil {
		return nil, err
	}
	caKey, err := cfg.CAPrivateKeyBytes()
	if err != nil {
		return nil, err
	}
	certPEM, keyPEM, err := serverCertificate(hsName, cfg)
	if err != nil {
		return nil, fmt.Errorf("certificate for %s: %w", hsName, err)
	}
	for path, data := range map[string][]byte{
		m.caCertPath: caCert, m.caKeyPath: caKey, m.serverCertPath: certPEM, m.serverKeyPath: keyPEM,
	} {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func serverCertificate(hsName string, cfg *config.Complement) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, nil, err
	}
	template := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: hsName},
		DNSNames:     []string{hsName, "localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(7 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, template, cfg.CACertificate, &key.PublicKey, cfg.CAPrivateKey)
	if err != nil {
		return nil, nil, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	return certPEM, keyPEM, nil
}
