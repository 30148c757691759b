package gatehouse.identity;

import org.springframework.stereotype.Component;

import gatehouse.catalog.CatalogListener;
import gatehouse.catalog.CatalogSnapshot;
import gatehouse.catalog.ServerDef;

/**
 * When a server moves to another origin, the catalog removes its stored credentials in the same
 * transaction; this drops the vault's short-lived cache of opened credentials too, so not even a
 * cached token of the old host reaches the new one.
 */
@Component
class CredentialOriginGuard implements CatalogListener {
    private final IdentityVault vault;

    CredentialOriginGuard(IdentityVault vault) {
        this.vault = vault;
    }

    @Override
    public void onCatalogChange(CatalogSnapshot previous, CatalogSnapshot current) {
        for (ServerDef before : previous.servers().values()) {
            ServerDef now = current.servers().get(before.id());
            if (now != null && !ServerDef.sameOrigin(before.url(), now.url())) {
                vault.forgetCached();
                return;
            }
        }
    }
}
