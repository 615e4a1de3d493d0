#include "app/inference/chat_backend_factory.h"

#include "app/inference/engine_chat_backend.h"

namespace vora::app {

std::unique_ptr<ChatBackend> createDefaultChatBackend()
{
    return std::make_unique<EngineChatBackend>();
}

} // namespace vora::app
