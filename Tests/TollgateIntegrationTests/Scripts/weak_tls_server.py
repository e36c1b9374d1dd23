#!/usr/bin/env python3
"""A TLS server configured the way the guides warn against, for `tollgate audit check` tests:
TLS 1.0 and 1.1 accepted, RSA key exchange and 3DES allowed, a self-signed certificate.

usage: weak_tls_server.py --listen 127.0.0.24:5391 --dir DIR

Writes a self-signed certificate into DIR with the openssl command, prints READY once bound,
completes handshakes and closes each connection; runs until SIGTERM or SIGINT, then exits 0.
"""
import argparse
import os
import signal
import socket
import ssl
import subprocess
import sys


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--listen", required=True)
    parser.add_argument("--dir", required=True)
    args = parser.parse_args()
    host, port = args.listen.rsplit(":", 1)
    cert, key = os.path.join(args.dir, "weak.pem"), os.path.join(args.dir, "weak.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "10",
                    "-subj", "/CN=weak.example"], check=True, capture_output=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1
    context.set_ciphers("ALL:@SECLEVEL=0")
    context.load_cert_chain(cert, key)
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((host, int(port)))
    server.listen(16)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print("READY", flush=True)
    while True:
        connection, _ = server.accept()
        connection.settimeout(5)
        try:
            with context.wrap_socket(connection, server_side=True) as tls:
                tls.recv(1)
        except (ssl.SSLError, OSError):
            pass
        finally:
            connection.close()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(0)
