package pulsarisolation.placement;

import io.netty.util.HashedWheelTimer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.bookkeeper.client.BKException.BKNotEnoughBookiesException;
import org.apache.bookkeeper.client.RackawareEnsemblePlacementPolicyImpl;
import org.apache.bookkeeper.conf.ClientConfiguration;
import org.apache.bookkeeper.feature.FeatureProvider;
import org.apache.bookkeeper.net.BookieId;
import org.apache.bookkeeper.net.DNSToSwitchMapping;
import org.apache.bookkeeper.proto.BookieAddressResolver;
import org.apache.bookkeeper.stats.StatsLogger;
import org.apache.pulsar.bookie.rackawareness.IsolatedBookieEnsemblePlacementPolicy;
import org.apache.pulsar.common.policies.data.BookiesRackConfiguration;
import org.apache.pulsar.common.policies.data.EnsemblePlacementPolicyConfig;
import org.apache.pulsar.metadata.api.MetadataCache;
import org.apache.pulsar.metadata.api.MetadataStore;
import org.apache.pulsar.metadata.api.MetadataStoreConfig;
import org.apache.pulsar.metadata.api.MetadataStoreFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bookies' placement policy for the copies that recovery makes (a lost bookie's ledgers, a
 * decommission). Pulsar's isolated policy keeps a copy in the groups a ledger was stamped with,
 * and places a ledger without that stamp (a schema, a compacted topic, a namespace without a
 * group) on any bookie. This one gives such a ledger the groups its copies are in now, read from
 * the rack map (`/bookies` in the store named by zkServers), so its new copy stays there; when
 * those groups have too few live bookies the copy waits, as a stamped ledger's does. When the rack
 * map cannot be read, no copy is made (the ledger stays under-replicated and is tried again).
 */
public class GroupKeepingPlacementPolicy extends IsolatedBookieEnsemblePlacementPolicy {
    private static final Logger log = LoggerFactory.getLogger(GroupKeepingPlacementPolicy.class);
    private static final String RACK_MAP = "/bookies";
    private static final long READ_TIMEOUT_SECONDS = 30;

    /** The property through which Pulsar's policy and rack resolver take a store instead of opening their own. */
    private static final String STORE_PROPERTY = "METADATA_STORE_INSTANCE";
    /**
     * One store (one ZooKeeper session) per bookie process and connect string, which Pulsar's
     * policy uses too: a bookie makes a policy for each of its clients, and each opened a session.
     */
    private static final Map<String, MetadataStore> STORES = new ConcurrentHashMap<>();

    private MetadataCache<BookiesRackConfiguration> rackMap;

    @Override
    public RackawareEnsemblePlacementPolicyImpl initialize(ClientConfiguration conf, Optional<DNSToSwitchMapping> dnsResolver,
            HashedWheelTimer timer, FeatureProvider features, StatsLogger stats, BookieAddressResolver addresses) {
        MetadataStore store = conf.getProperty(STORE_PROPERTY) instanceof MetadataStore given
                ? given
                : STORES.computeIfAbsent(conf.getString("zkServers"), GroupKeepingPlacementPolicy::openStore);
        conf.setProperty(STORE_PROPERTY, store);
        rackMap = store.getMetadataCache(BookiesRackConfiguration.class);
        return super.initialize(conf, dnsResolver, timer, features, stats, addresses);
    }

    private static MetadataStore openStore(String connect) {
        try {
            return MetadataStoreFactory.create(connect, MetadataStoreConfig.builder().metadataStoreName("pulsar-isolation-placement").build());
        } catch (Exception e) {
            throw new IllegalStateException("cannot open the rack map's store zkServers=" + connect, e);
        }
    }

    @Override
    public PlacementResult<BookieId> replaceBookie(int ensembleSize, int writeQuorumSize, int ackQuorumSize, Map<String, byte[]> customMetadata,
            List<BookieId> currentEnsemble, BookieId bookieToReplace, Set<BookieId> excludeBookies) throws BKNotEnoughBookiesException {
        Map<String, byte[]> placement = customMetadata;
        if (customMetadata == null || !customMetadata.containsKey(EnsemblePlacementPolicyConfig.ENSEMBLE_PLACEMENT_POLICY_CONFIG)) {
            placement = stampedWithGroupsOf(customMetadata, currentEnsemble, bookieToReplace);
        }
        return super.replaceBookie(ensembleSize, writeQuorumSize, ackQuorumSize, placement, currentEnsemble, bookieToReplace, excludeBookies);
    }

    /** The ledger's metadata as the policy reads it (never written back), stamped with the groups of its copies. */
    private Map<String, byte[]> stampedWithGroupsOf(Map<String, byte[]> customMetadata, List<BookieId> ensemble, BookieId replaced)
            throws BKNotEnoughBookiesException {
        Set<String> groups = new TreeSet<>();
        try {
            BookiesRackConfiguration racks = rackMap.get(RACK_MAP).get(READ_TIMEOUT_SECONDS, TimeUnit.SECONDS).orElse(new BookiesRackConfiguration());
            Set<String> copies = new TreeSet<>();
            ensemble.forEach((bookie) -> copies.add(bookie.toString()));
            copies.add(replaced.toString());
            racks.forEach((group, members) -> {
                if (copies.stream().anyMatch(members::containsKey)) groups.add(group);
            });
            Map<String, byte[]> stamped = new HashMap<>(customMetadata == null ? Map.of() : customMetadata);
            if (groups.isEmpty()) return stamped;
            Map<String, Object> properties = Map.of(ISOLATION_BOOKIE_GROUPS, String.join(",", groups));
            stamped.put(EnsemblePlacementPolicyConfig.ENSEMBLE_PLACEMENT_POLICY_CONFIG,
                    new EnsemblePlacementPolicyConfig(IsolatedBookieEnsemblePlacementPolicy.class, properties).encode());
            return stamped;
        } catch (Exception e) {
            log.warn("Not replacing {}: the groups of ensemble {} could not be read from {}: {}", replaced, ensemble, RACK_MAP, e.toString());
            throw new BKNotEnoughBookiesException();
        }
    }
}
