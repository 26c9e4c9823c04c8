#include "cancel.hpp"

namespace pgjwt {
namespace {

CancelCheck installed_check = nullptr;

}  // namespace

void set_cancel_check(CancelCheck check) noexcept {
    installed_check = check;
}

bool cancel_requested() noexcept {
    return installed_check != nullptr && installed_check();
}

Status cancelled() {
    return Status{Fault::cancelled, "canceling statement", "pg_jwt stopped its work on request."};
}

}  // namespace pgjwt
