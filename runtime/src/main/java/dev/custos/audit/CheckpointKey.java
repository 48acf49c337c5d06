package dev.custos.audit;

import dev.custos.identity.WorkloadKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Objects;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * The Ed25519 key that signs the audit log's checkpoints: its own, never the credential broker's. Kept in a file of
 * its 32-byte seed (unpadded base64url, readable by its owner only) with the public key beside it ({@code .pub}), which
 * is what a verifier is given. The private key never prints. Immutable and thread safe.
 */
public final class CheckpointKey {

  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();
  private static final String DOMAIN = "custos-audit-checkpoint/v1\n";

  private final Ed25519PrivateKeyParameters privateKey;
  private final WorkloadKeys.PublicKey publicKey;

  private CheckpointKey(Ed25519PrivateKeyParameters privateKey) {
    this.privateKey = privateKey;
    this.publicKey = WorkloadKeys.PublicKey.fromBase64Url(BASE64URL.encodeToString(
        privateKey.generatePublicKey().getEncoded()));
  }

  public static CheckpointKey generate(SecureRandom random) {
    return new CheckpointKey(new Ed25519PrivateKeyParameters(Objects.requireNonNull(random, "random")));
  }

  /**
   * The key in {@code file}, or a new one written there (and its public key to {@code file.pub}) when there is none.
   *
   * @throws IOException if the file cannot be read or written, or does not hold a key
   */
  public static CheckpointKey loadOrCreate(Path file, SecureRandom random) throws IOException {
    if (Files.exists(file)) {
      return load(file);
    }
    CheckpointKey key = generate(random);
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    byte[] seed = BASE64URL.encode(key.privateKey.getEncoded());
    try {
      Files.write(file, seed, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    } catch (FileAlreadyExistsException raced) {
      return load(file);
    }
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException notPosix) {
      // a file system without POSIX permissions: the directory's protection applies
    }
    Files.writeString(publicKeyFile(file), key.publicKey.base64Url() + "\n");
    return key;
  }

  /** Reads a key written by {@link #loadOrCreate}. */
  public static CheckpointKey load(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
    try {
      byte[] seed = Base64.getUrlDecoder().decode(text);
      if (seed.length != Ed25519PrivateKeyParameters.KEY_SIZE) {
        throw new IOException(file + " does not hold an Ed25519 key (" + seed.length + " bytes, not 32)");
      }
      return new CheckpointKey(new Ed25519PrivateKeyParameters(seed, 0));
    } catch (IllegalArgumentException e) {
      throw new IOException(file + " does not hold an Ed25519 key (not base64url)", e);
    }
  }

  /** Where {@link #loadOrCreate} writes the public key of the key in {@code keyFile}. */
  public static Path publicKeyFile(Path keyFile) {
    return keyFile.resolveSibling(keyFile.getFileName() + ".pub");
  }

  /** Reads a public key file ({@code .pub}: the key as unpadded base64url). */
  public static WorkloadKeys.PublicKey readPublicKey(Path file) throws IOException {
    try {
      return WorkloadKeys.PublicKey.fromBase64Url(Files.readString(file, StandardCharsets.US_ASCII).trim());
    } catch (IllegalArgumentException e) {
      throw new IOException(file + " does not hold an Ed25519 public key: " + e.getMessage(), e);
    }
  }

  public WorkloadKeys.PublicKey publicKey() {
    return publicKey;
  }

  /** The signature over a checkpoint at {@code seq} with chain hash {@code hash}. */
  public byte[] sign(long seq, String hash) {
    byte[] message = message(seq, hash);
    Ed25519Signer signer = new Ed25519Signer();
    signer.init(true, privateKey);
    signer.update(message, 0, message.length);
    return signer.generateSignature();
  }

  /** What a checkpoint's signature covers: a domain string, the seq and the hash, so no other signature can pass. */
  public static byte[] message(long seq, String hash) {
    return (DOMAIN + seq + "\n" + hash).getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "CheckpointKey[jkt=" + publicKey.thumbprint() + "]";
  }
}
