use wabi_guest::export;

#[export]
unsafe fn read(address: u32) -> u8 {
    unsafe { *(address as usize as *const u8) }
}

fn main() {}
