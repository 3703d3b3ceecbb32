fn main() {
    let dir = std::env::args().nth(1).unwrap();
    let p = factmine::Pipeline::load(std::path::Path::new(&dir)).unwrap();
    let (f, n) = factmine::checks::run_examples(&p);
    for x in &f {
        println!("{x}");
    }
    println!("{} of {n} failed", f.len());
}
