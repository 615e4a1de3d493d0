#include "app/storage/store_opening.h"

namespace vora::app {

StoreOpening openStoreWithRecovery(const QString& directory, const std::function<bool(const StoreError&)>& askToRecover)
{
    StoreOpening opening;
    try {
        opening.store = std::make_unique<ConversationStore>(directory);
        return opening;
    } catch (const StoreError& error) {
        if (error.kind() != StoreError::Kind::Damaged || !askToRecover(error)) {
            throw;
        }
    }
    opening.recovery = recoverStore(ConversationStore::databasePathIn(directory), ConversationStore::imageDirectoryIn(directory));
    opening.store = std::make_unique<ConversationStore>(directory);
    return opening;
}

} // namespace vora::app
