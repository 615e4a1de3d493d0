#pragma once
// Thrown by the fine-tune job classes (bad option values, a `vora` that cannot be found or run, an
// unknown job); what() is user-readable and names the option, file or job.
#include <QString>

#include <stdexcept>

namespace vora::app {

class JobError : public std::runtime_error {
public:
    explicit JobError(const QString& message)
        : std::runtime_error(message.toStdString())
    {
    }
};

} // namespace vora::app
