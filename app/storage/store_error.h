#pragma once
// Thrown by the storage classes when the database or the image folder fails; what() is user-readable.
#include <QString>

#include <stdexcept>

namespace vora::app {

class StoreError : public std::runtime_error {
public:
    explicit StoreError(const QString& message)
        : std::runtime_error(message.toStdString())
    {
    }
};

} // namespace vora::app
