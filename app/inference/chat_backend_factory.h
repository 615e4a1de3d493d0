#pragma once
// Makes the backend the application uses. The body lives in chat_backend_factory.cpp, the one file that
// knows the runtime. Any thread; the backend it returns is then used on the inference worker thread only.
#include "app/inference/chat_backend.h"

#include <memory>

namespace vora::app {

std::unique_ptr<ChatBackend> createDefaultChatBackend();

} // namespace vora::app
