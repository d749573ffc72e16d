import ssh2 from 'ssh2';

/**
 * An ed25519 key pair in OpenSSH format. ssh2's generator now and then (about 1 in 100 here)
 * emits a private key its own parser calls malformed, so every pair is parsed before use.
 */
export function generateEd25519(): { private: string; public: string } {
  for (let i = 0; i < 20; i++) {
    const pair = ssh2.utils.generateKeyPairSync('ed25519');
    const parsed = ssh2.utils.parseKey(pair.private);
    if (!(parsed instanceof Error) && !Array.isArray(parsed)) return { private: pair.private as string, public: pair.public as string };
  }
  throw new Error('Could not generate a usable ed25519 key pair');
}
