#pragma once
// Opening the app's conversation store at start, with recovery offered for a damaged database.
// GUI thread.
#include "app/storage/conversation_store.h"
#include "app/storage/store_error.h"
#include "app/storage/store_recovery.h"

#include <functional>
#include <memory>
#include <optional>

namespace vora::app {

struct StoreOpening {
    std::unique_ptr<ConversationStore> store;
    std::optional<StoreRecovery> recovery; // set when a damaged database was recovered
};

// Opens the store in directory. When its database is damaged, askToRecover decides (it sees the
// error, which names the file): yes recovers what can be read (the damaged file is kept beside the
// new one) and opens the result; no rethrows, leaving the file untouched. Throws StoreError.
StoreOpening openStoreWithRecovery(const QString& directory, const std::function<bool(const StoreError&)>& askToRecover);

} // namespace vora::app
