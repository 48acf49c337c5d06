package dev.custos.credential;

import dev.custos.identity.AgentId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;

/**
 * Every credential a broker issued: in issue order, by id, by holder and by token (the secret: never printed, never
 * handed out, only looked up). Shared by the brokers of this package so
 * each answers {@code issued()}, {@code byId} and {@code activeCount} the same way. Thread safe: lookups are lock-free,
 * the issue order is kept under this object's lock.
 */
final class Inventory {

  private final List<Credential> inOrder = new ArrayList<>();
  private final Map<String, Credential> byId = new ConcurrentHashMap<>();
  private final Map<AgentId, Queue<Credential>> byHolder = new ConcurrentHashMap<>();
  private final Map<String, Credential> byToken = new ConcurrentHashMap<>();

  void add(Credential credential) {
    synchronized (this) {
      inOrder.add(credential);
    }
    byId.put(credential.id(), credential);
    byHolder.computeIfAbsent(credential.holder(), holder -> new ConcurrentLinkedQueue<>()).add(credential);
    byToken.put(credential.token(), credential);
  }

  /** The credential whose bearer string is {@code token}, or null. */
  Credential byToken(String token) {
    return token == null ? null : byToken.get(token);
  }

  boolean hasToken(String token) {
    return byToken.containsKey(token);
  }

  boolean contains(String id) {
    return byId.containsKey(id);
  }

  Optional<Credential> byId(String id) {
    return Optional.ofNullable(byId.get(id));
  }

  int size() {
    return byId.size();
  }

  /** A snapshot, in issue order. */
  synchronized List<Credential> inOrder() {
    return List.copyOf(inOrder);
  }

  /** The holder's credentials with {@code now < expiresAt} that {@code revoked} does not reject. */
  int activeCount(AgentId holder, Instant now, Predicate<Credential> revoked) {
    Queue<Credential> held = byHolder.get(holder);
    if (held == null) {
      return 0;
    }
    int count = 0;
    for (Credential credential : held) {
      if (now.isBefore(credential.expiresAt()) && !revoked.test(credential)) {
        count++;
      }
    }
    return count;
  }
}
