#include "app/inference/chat_backend_factory.h"

#include <stdexcept>

namespace vora::app {
namespace {

// Stands in until the runtime lands: the app stays usable (conversations, history, export) and a load
// fails with a message saying why.
class UnavailableChatBackend final : public ChatBackend {
public:
    ModelInfo load(const QString&, const QString&, const std::function<void(double, const QString&)>&) override
    {
        throw std::runtime_error("This build cannot run models yet: model loading arrives with the runtime.");
    }
    void unload() override {}
    GenerationStats generate(const QList<ChatTurnInput>&, const GenerationSettings&,
                             const std::function<void(const QString&)>&, const std::atomic<bool>&) override
    {
        throw std::runtime_error("No model is loaded.");
    }
};

} // namespace

std::unique_ptr<ChatBackend> createDefaultChatBackend()
{
    return std::make_unique<UnavailableChatBackend>();
}

} // namespace vora::app
