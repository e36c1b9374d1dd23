#!/usr/bin/env python3
"""libsrtp (through pylibsrtp) as an oracle for Tollgate's SRTP tests.

Reads one command a line on stdin and answers one line on stdout:
  session NAME PROFILE KEYHEX in|out   -> ok
  rtp-protect NAME HEX                 -> ok HEX | error TEXT
  rtp-unprotect NAME HEX               -> ok HEX | error TEXT
  rtcp-protect NAME HEX                -> ok HEX | error TEXT
  rtcp-unprotect NAME HEX              -> ok HEX | error TEXT
PROFILE is an SDES suite name. Exits at end of input.
"""
import sys

import pylibsrtp

PROFILES = {
    "AES_CM_128_HMAC_SHA1_80": pylibsrtp.Policy.SRTP_PROFILE_AES128_CM_SHA1_80,
    "AES_CM_128_HMAC_SHA1_32": pylibsrtp.Policy.SRTP_PROFILE_AES128_CM_SHA1_32,
    "AEAD_AES_128_GCM": pylibsrtp.Policy.SRTP_PROFILE_AEAD_AES_128_GCM,
    "AEAD_AES_256_GCM": pylibsrtp.Policy.SRTP_PROFILE_AEAD_AES_256_GCM,
}


def main():
    sessions = {}
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        command = words[0]
        try:
            if command == "session":
                name, profile, key, direction = words[1:5]
                policy = pylibsrtp.Policy(
                    key=bytes.fromhex(key),
                    ssrc_type=pylibsrtp.Policy.SSRC_ANY_INBOUND if direction == "in" else pylibsrtp.Policy.SSRC_ANY_OUTBOUND,
                    srtp_profile=PROFILES[profile],
                )
                policy.window_size = 128
                sessions[name] = pylibsrtp.Session(policy=policy)
                answer = "ok"
            else:
                session = sessions[words[1]]
                packet = bytes.fromhex(words[2])
                operation = {
                    "rtp-protect": session.protect,
                    "rtp-unprotect": session.unprotect,
                    "rtcp-protect": session.protect_rtcp,
                    "rtcp-unprotect": session.unprotect_rtcp,
                }[command]
                answer = "ok " + operation(packet).hex()
        except Exception as error:  # every failure is an answer, never a crash of the oracle
            answer = "error " + str(error).replace("\n", " ")
        sys.stdout.write(answer + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
